import { listRuns } from '../../engine/listRuns.js';
import { durationText } from '../../observe/durationText.js';
import { runErrors } from '../../observe/runErrors.js';
import { whyMapref } from '../../observe/why.js';
import { describeFrequency } from '../../schedule/index.js';
import { readCurrentSchedule } from '../../scheduler/readCurrentSchedule.js';
import { businessText, wallToInstant } from '../clock.js';
import type { ConsoleContext, Page } from '../context.js';
import { html, maprefHref } from '../html.js';
import { paramsText, pill, rowsText, runTime } from './runText.js';

const RUNS_SHOWN = 50;
const ERRORS_SHOWN = 50;

/** One MAPREF: the `why` answer with its evidence, its schedule, its runs with counts, its errors. */
export async function maprefPage(ctx: ConsoleContext, mapref: string): Promise<Page> {
  const { dialect, clock } = ctx;
  const [why, schedule, runs] = await Promise.all([
    whyMapref(dialect, ctx.config, mapref, { log: ctx.log, flows: ctx.flows }),
    readCurrentSchedule(dialect, mapref),
    listRuns(dialect.db, mapref, RUNS_SHOWN),
  ]);
  const errors = await runErrors(dialect.db, runs.map((r) => r.prcid), ERRORS_SHOWN);
  return {
    title: mapref,
    body: html`<h1>${mapref}</h1>
<div class="answer" id="why">${why.answer}${why.hint ? html`<div class="hint">→ ${why.hint}</div>` : ''}</div>
<details open><summary>evidence</summary><ul class="evidence">${why.evidence.map((line) => html`<li>${line}</li>`)}</ul></details>
<h2>Schedule</h2>
${schedule ? html`<p>JOBSCHID ${schedule.jobschid}: ${schedule.parent ? html`after each successful run of <a href="${maprefHref(schedule.parent)}">${schedule.parent}</a>` : describeFrequency(schedule)}, from ${schedule.strtdt ?? '?'}${schedule.enddt ? ` to ${schedule.enddt}` : ''}; ${schedule.enabled ? 'enabled' : 'disabled'}${schedule.nxtRunDt ? `; next run ${businessText(clock, schedule.nxtRunDt)}` : ''}</p>` : html`<p class="empty">no current schedule</p>`}
<h2>Runs</h2>
${runs.length === 0 ? html`<p class="empty">no run in DWPRCLOG</p>` : html`<table id="runs"><tr><th>PRCID</th><th>status</th><th>start</th><th>end</th><th>duration</th><th>params</th><th>src/trg/err</th><th>errors</th><th>MSG</th></tr>
${runs.map((r) => html`<tr data-prcid="${r.prcid}"><td class="num">${r.prcid}</td><td>${pill(r.status)}</td><td>${runTime(clock, r.start)}</td><td>${runTime(clock, r.end)}</td><td class="num">${durationText(r.durationSeconds)}</td><td>${paramsText(r)}</td><td class="num">${rowsText(r)}</td><td class="num">${r.errorCount || ''}</td><td class="msg">${r.message ?? ''}</td></tr>`)}</table>`}
<h2>Errors of these runs (DWJOBERR)</h2>
${errors.length === 0 ? html`<p class="empty">no error rows</p>` : html`<table id="errors"><tr><th>ERRID</th><th>PRCID</th><th>when</th><th>type</th><th>message</th><th>database error</th><th>key</th></tr>
${errors.map((e) => html`<tr><td class="num">${e.errid}</td><td class="num">${e.prcid ?? ''}</td><td>${e.prcdt ? businessText(clock, wallToInstant(clock, e.prcdt)) : ''}</td><td>${e.errtyp ?? ''}</td><td class="msg">${e.errmsg ?? ''}</td><td class="msg">${e.dberrmsg ?? ''}</td><td>${e.keyvalue ?? ''}</td></tr>`)}</table>`}`,
  };
}
