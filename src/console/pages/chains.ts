import { chainLinks } from '../../observe/chainLinks.js';
import { lastRuns } from '../../observe/lastRuns.js';
import { layoutChains, type ChainEdge } from '../chainGraph.js';
import type { ConsoleContext, Page } from '../context.js';
import { html, maprefHref, statusClass, STATUS_WORDS } from '../html.js';

function path(edge: ChainEdge): string {
  const [first, ...rest] = edge.points;
  if (!first) return '';
  return `M${first.x.toFixed(1)},${first.y.toFixed(1)}${rest.map((p) => ` L${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('')}`;
}

function edgeTip(edge: ChainEdge): string {
  const { link } = edge;
  const parent = link.parent ?? '(no such row)';
  const retired = link.parentRetired ? `; JOBSCHID ${link.parentJobschid} is a retired row of ${parent} (CURFLG not Y)` : '';
  return `${link.child} (JOBSCHID ${link.childJobschid}${link.enabled ? '' : ', disabled'}) runs after ${parent} (DPND_JOBSCHID ${link.parentJobschid})${retired}${edge.inCycle ? '; part of a cycle' : ''}`;
}

/** The dependency graph of the current schedules, parents left of their children, each node coloured by its MAPREF's last run. */
export async function chainsPage(ctx: ConsoleContext): Promise<Page> {
  const [links, last] = await Promise.all([chainLinks(ctx.dialect.db), lastRuns(ctx.dialect.db)]);
  const graph = layoutChains(links);
  const retired = links.filter((l) => l.parentRetired);
  const missing = links.filter((l) => l.parent === null);
  const svg = html`<svg id="chains" xmlns="http://www.w3.org/2000/svg" width="${graph.width}" height="${graph.height}" viewBox="0 0 ${graph.width} ${graph.height}" role="img" aria-label="schedule dependencies">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#607d8b"/></marker></defs>
${graph.edges.map((e) => html`<path class="edge${e.retired ? ' retired' : ''}${e.inCycle ? ' cycle' : ''}" d="${path(e)}" marker-end="url(#arrow)" data-from="${e.from}" data-to="${e.to}" data-tip="${edgeTip(e)}"/>`)}
${graph.edges.filter((e) => e.retired).map((e) => {
  const mid = e.points[Math.floor(e.points.length / 2)];
  return mid ? html`<text class="edge-label" x="${mid.x.toFixed(1)}" y="${(mid.y - 4).toFixed(1)}" text-anchor="middle">retired #${e.link.parentJobschid}</text>` : '';
})}
${graph.nodes.map((n) => {
  const run = n.mapref ? last.get(n.mapref) : undefined;
  const cls = n.mapref === null ? 'missing' : statusClass(run?.status);
  const tip = n.mapref === null ? n.label : `${n.mapref}: last run ${run ? `${run.status} (${STATUS_WORDS[run.status] ?? ''}), PRCID ${run.prcid}` : 'never'}`;
  const box = html`<g class="node ${cls}" data-mapref="${n.mapref ?? ''}" data-status="${run?.status ?? ''}" data-tip="${tip}"><rect x="${(n.x - n.width / 2).toFixed(1)}" y="${(n.y - n.height / 2).toFixed(1)}" width="${n.width}" height="${n.height}" rx="5"/><text x="${n.x.toFixed(1)}" y="${(n.y + 4).toFixed(1)}" text-anchor="middle">${n.label.length > 32 ? `${n.label.slice(0, 31)}…` : n.label}</text></g>`;
  return n.mapref === null ? box : html`<a href="${maprefHref(n.mapref)}">${box}</a>`;
})}
</svg>`;
  return {
    title: 'Chains',
    body: html`<h1>Chains</h1>
<p class="legend"><span><i class="st-PC"></i>last run PC</span><span><i class="st-FL"></i>FL</span><span><i class="st-ST"></i>ST</span><span><i class="st-IP"></i>IP</span><span><i class="st-none"></i>never ran</span> · an arrow goes from a parent to the schedule that runs after it; dashed: the link names a retired schedule row; red: a cycle</p>
${links.length === 0 ? html`<p class="empty">no current schedule depends on another (DPND_JOBSCHID is empty everywhere)</p>` : svg}
${graph.cycles.length ? html`<h2 class="warn">Cycles</h2><ul id="cycles">${graph.cycles.map((c) => html`<li class="warn">${c.join(' → ')} → ${c[0]}: these schedules wait on each other and never fire</li>`)}</ul>` : ''}
${retired.length ? html`<h2>Links to retired schedule rows</h2><ul id="retired">${retired.map((l) => html`<li>${l.child} (JOBSCHID ${l.childJobschid}) names JOBSCHID ${l.parentJobschid}, a retired row of <a href="${maprefHref(l.parent!)}">${l.parent}</a></li>`)}</ul>` : ''}
${missing.length ? html`<h2 class="warn">Links to no row</h2><ul id="missing">${missing.map((l) => html`<li class="warn">${l.child} (JOBSCHID ${l.childJobschid}) names JOBSCHID ${l.parentJobschid}, which no DWJOBSCH row has</li>`)}</ul>` : ''}`,
  };
}
