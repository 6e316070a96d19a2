import { DateTime } from 'luxon';
import { lastRuns } from '../../observe/lastRuns.js';
import { describeFrequency } from '../../schedule/index.js';
import { listSchedules } from '../../scheduler/listSchedules.js';
import { businessText, wallToInstant } from '../clock.js';
import type { ConsoleContext, Page } from '../context.js';
import { html, maprefHref } from '../html.js';
import { pill } from './runText.js';

/** Every current schedule: its frequency in words, next and last firing, enabled, parent, and how its last run went. */
export async function schedulesPage(ctx: ConsoleContext): Promise<Page> {
  const { clock } = ctx;
  const [{ schedules }, last] = await Promise.all([listSchedules(ctx.dialect, clock.businessZone), lastRuns(ctx.dialect.db)]);
  const instant = (d: Date | null) => (d ? businessText(clock, DateTime.fromJSDate(d)) : '');
  return {
    title: 'Schedules',
    body: html`<h1>Schedules</h1>
${schedules.length === 0 ? html`<p class="empty">no current schedule in DWJOBSCH</p>` : html`<table id="schedules">
<tr><th>MAPREF</th><th>JOBSCHID</th><th>frequency</th><th>from</th><th>to</th><th>enabled</th><th>parent</th><th>next run</th><th>last fired</th><th>last run</th></tr>
${schedules.map((s) => {
  const run = last.get(s.mapref);
  return html`<tr data-mapref="${s.mapref}"><td><a href="${maprefHref(s.mapref)}">${s.mapref}</a></td><td class="num">${s.jobschid}</td>
<td>${s.parent ? html`<span class="muted">after each successful run of its parent</span>` : describeFrequency(s)}</td>
<td>${s.strtdt ?? ''}</td><td>${s.enddt ?? ''}</td><td>${s.enabled ? 'yes' : html`<span class="warn">no</span>`}</td><td>${s.parent ? html`<a href="${maprefHref(s.parent)}">${s.parent}</a>` : ''}</td>
<td>${instant(s.nxtRunDt)}</td><td>${instant(s.lstRunDt)}</td>
<td>${run ? html`${pill(run.status)} ${run.strtdt ? businessText(clock, wallToInstant(clock, run.strtdt)) : ''}` : html`<span class="muted">never</span>`}</td></tr>`;
})}</table>`}
<p class="muted">Frequencies are wall-clock times in ${clock.businessZone}.</p>`,
  };
}
