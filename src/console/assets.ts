/**
 * The console's only client assets, served from the package at /assets (nothing is loaded
 * from the internet; the Content-Security-Policy allows these and nothing else).
 */

/** Swaps <main> for a fresh copy when the server reports a change, and every 30 s anyway (elapsed times move on); shows a bar's details on hover. */
export const CONSOLE_JS = `(() => {
  'use strict';
  const live = document.getElementById('live');
  let busy = false;
  let again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const res = await fetch(location.href, { credentials: 'same-origin', cache: 'no-store' });
      if (res.ok) {
        const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('main');
        const main = document.querySelector('main');
        if (fresh && main) {
          main.replaceWith(fresh);
          document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
        }
      }
    } catch (e) {
      live && live.classList.add('off');
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }
  if (window.EventSource) {
    const events = new EventSource('/events');
    events.addEventListener('change', refresh);
    events.onopen = () => live && live.classList.remove('off');
    events.onerror = () => live && live.classList.add('off');
  }
  setInterval(refresh, 30000);

  const tip = document.createElement('div');
  tip.id = 'tip';
  tip.hidden = true;
  document.body.appendChild(tip);
  document.addEventListener('mouseover', (e) => {
    const target = e.target instanceof Element ? e.target.closest('[data-tip]') : null;
    if (!target) { tip.hidden = true; return; }
    tip.textContent = target.getAttribute('data-tip');
    tip.hidden = false;
  });
  document.addEventListener('mousemove', (e) => {
    if (tip.hidden) return;
    const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = e.clientY + 18 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 10 : e.clientY + 18;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });
})();
`;

export const CONSOLE_CSS = `:root { --pc: #2e7d32; --fl: #c62828; --st: #ef8f00; --ip: #1565c0; --none: #9e9e9e; --line: #e0e0e0; --muted: #666; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121; background: #fafafa; }
header { display: flex; align-items: center; gap: 24px; padding: 10px 20px; background: #263238; color: #eceff1; }
header .brand { font-weight: 700; letter-spacing: .04em; }
header nav a { color: #cfd8dc; text-decoration: none; margin-right: 16px; padding-bottom: 2px; }
header nav a.here { color: #fff; border-bottom: 2px solid #80cbc4; }
header .meta { margin-left: auto; font-size: 12px; color: #b0bec5; }
#live::before { content: "●"; color: #66bb6a; margin-right: 4px; }
#live.off::before { color: #ef5350; }
main { padding: 16px 20px 40px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
table { border-collapse: collapse; background: #fff; margin-bottom: 8px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.msg { max-width: 520px; white-space: pre-wrap; word-break: break-word; }
.muted { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.pill { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; font-weight: 600; }
.pill.st-PC { background: var(--pc); } .pill.st-FL { background: var(--fl); } .pill.st-ST { background: var(--st); }
.pill.st-IP { background: var(--ip); } .pill.st-none { background: var(--none); }
.overdue { color: var(--fl); font-weight: 600; }
.answer { font-size: 16px; padding: 10px 14px; background: #fff; border-left: 4px solid #80cbc4; margin-bottom: 8px; }
.hint { color: var(--muted); }
ul.evidence { margin: 4px 0; font-family: ui-monospace, monospace; font-size: 12px; }
form.day { display: flex; gap: 10px; align-items: center; margin-bottom: 10px; }
svg { background: #fff; border: 1px solid var(--line); }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
svg .grid { stroke: #eee; }
svg .axis { fill: var(--muted); font-size: 11px; }
svg .row:hover rect.band { fill: #f5f5f5; }
svg rect.band { fill: transparent; }
svg .bar { stroke: rgba(0,0,0,.25); stroke-width: .5; cursor: pointer; }
svg .bar.st-PC, svg .node.st-PC rect { fill: var(--pc); } svg .bar.st-FL, svg .node.st-FL rect { fill: var(--fl); }
svg .bar.st-ST, svg .node.st-ST rect { fill: var(--st); } svg .bar.st-IP, svg .node.st-IP rect { fill: var(--ip); }
svg .node.st-none rect { fill: var(--none); }
svg .node text { fill: #fff; font-weight: 600; }
svg .node.missing rect { fill: #fff; stroke: var(--fl); stroke-dasharray: 4 3; } svg .node.missing text { fill: var(--fl); }
svg .scheduled { fill: #fff; stroke: #455a64; stroke-width: 1.5; }
svg .now { stroke: #d81b60; stroke-width: 1.5; }
svg .now, svg .grid, svg .axis { pointer-events: none; }
svg .edge { fill: none; stroke: #607d8b; stroke-width: 1.5; }
svg .edge.retired { stroke: var(--st); stroke-dasharray: 6 4; }
svg .edge.cycle { stroke: var(--fl); stroke-width: 2.5; }
svg .edge-label { font-size: 11px; fill: var(--st); }
.legend span { margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
.legend i.st-PC { background: var(--pc); } .legend i.st-FL { background: var(--fl); } .legend i.st-ST { background: var(--st); }
.legend i.st-IP { background: var(--ip); } .legend i.st-none { background: var(--none); }
.legend i.scheduled { background: #fff; border: 1.5px solid #455a64; border-radius: 50%; }
.warn { color: var(--fl); }
#tip { position: fixed; z-index: 10; max-width: 460px; padding: 6px 9px; background: #263238; color: #fff; font-size: 12px; white-space: pre-wrap; border-radius: 4px; pointer-events: none; }
`;
