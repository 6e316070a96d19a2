import type { RunListing } from '../../engine/listRuns.js';
import { durationText } from '../../observe/durationText.js';
import { businessText, wallTextToInstant, type ConsoleClock } from '../clock.js';
import { html, statusClass, STATUS_WORDS, type Fragment } from '../html.js';

/** A status as a coloured pill (PC, FL, ST, IP). */
export function pill(status: string | null | undefined): Fragment {
  return html`<span class="pill ${statusClass(status)}" title="${STATUS_WORDS[status ?? ''] ?? ''}">${status ?? '—'}</span>`;
}

/** A run's stored wall time shown in the business zone. */
export function runTime(clock: ConsoleClock, wall: string | null): string {
  return wall ? businessText(clock, wallTextToInstant(clock, wall)) : '';
}

export function paramsText(run: RunListing): string {
  return Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(' ');
}

export function rowsText(run: RunListing): string {
  return run.rows ? `${run.rows.source}/${run.rows.target}/${run.rows.errors}` : '';
}

/** Everything a hover on a timeline bar shows: plain text (escaped where it is put). */
export function runTip(clock: ConsoleClock, run: RunListing): string {
  return [
    `${run.mapref ?? ''} · PRCID ${run.prcid} · ${run.status} (${STATUS_WORDS[run.status] ?? 'unknown'})`,
    `${runTime(clock, run.start)} → ${run.end ? runTime(clock, run.end) : 'running'}${run.durationSeconds !== null ? ` (${durationText(run.durationSeconds)})` : ''}`,
    ...(Object.keys(run.params).length ? [`params: ${paramsText(run)}`] : []),
    ...(run.rows ? [`rows src/trg/err: ${rowsText(run)}`] : []),
    ...(run.errorCount ? [`errors: ${run.errorCount}, last: ${run.lastError ?? ''}`] : []),
    ...(run.message ? [`MSG: ${run.message}`] : []),
  ].join('\n');
}
