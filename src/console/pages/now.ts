import { durationText } from '../../observe/durationText.js';
import { queueStatus } from '../../observe/status.js';
import { businessText, wallToInstant } from '../clock.js';
import type { ConsoleContext, Page } from '../context.js';
import { html, maprefHref } from '../html.js';

/** The queue by status and type, what runs now against its expected duration, the live workers, the last failures. */
export async function nowPage(ctx: ConsoleContext): Promise<Page> {
  const status = await queueStatus(ctx.dialect, { failures: 10 });
  const at = (wall: Date | null) => (wall ? businessText(ctx.clock, wallToInstant(ctx.clock, wall)) : '');
  return {
    title: 'Now',
    body: html`<h1>Now</h1>
<h2>Queue</h2>
${status.depth.length === 0 ? html`<p class="empty">nothing queued or running</p>` : html`<table id="queue"><tr><th>status</th><th>type</th><th>requests</th></tr>
${status.depth.map((d) => html`<tr><td>${d.status}</td><td>${d.requestType}</td><td class="num">${d.count}</td></tr>`)}</table>`}
<h2>Running</h2>
${status.running.length === 0 ? html`<p class="empty">no request is running</p>` : html`<table id="running"><tr><th>MAPREF</th><th>type</th><th>PRCID</th><th>worker</th><th>started</th><th>claimed for</th><th>expected</th><th></th></tr>
${status.running.map((r) => html`<tr${r.overdue ? html` class="overdue"` : ''}><td><a href="${maprefHref(r.mapref)}">${r.mapref}</a></td><td>${r.requestType}</td><td class="num">${r.prcid ?? ''}</td><td>${r.claimedBy ?? ''}</td>
<td>${at(r.startedAt ?? r.claimedAt)}</td><td class="num">${durationText(r.ageSeconds)}</td>
<td>${r.expectedSeconds === null ? html`<span class="muted">no past run</span>` : html`~${durationText(r.expectedSeconds)} (by ${r.basedOnRuns} runs), done ~${at(r.expectedFinish)}`}</td>
<td>${r.overdue ? html`OVERDUE (p95 ${durationText(r.p95Seconds)})` : ''}${r.stopRequested !== 'N' ? ' stop asked' : ''}</td></tr>`)}</table>`}
<h2>Workers</h2>
${status.workers.length === 0 ? html`<p class="empty">no worker has registered</p>` : html`<table id="workers"><tr><th>worker</th><th>host</th><th>pid</th><th>slots</th><th>running</th><th>last heartbeat</th></tr>
${status.workers.map((w) => html`<tr><td>${w.workerId}</td><td>${w.host ?? ''}</td><td class="num">${w.pid ?? ''}</td><td class="num">${w.concurrency ?? ''}</td><td class="num">${w.running}</td><td class="num">${w.heartbeatAgeSeconds}s ago</td></tr>`)}</table>`}
<h2>Last failures</h2>
${status.lastFailures.length === 0 ? html`<p class="empty">no failed request</p>` : html`<table id="failures"><tr><th>when</th><th>MAPREF</th><th>type</th><th>request</th><th>reason</th></tr>
${status.lastFailures.map((f) => html`<tr><td>${at(f.completedAt)}</td><td><a href="${maprefHref(f.mapref)}">${f.mapref}</a></td><td>${f.requestType}</td><td>${f.requestId}</td><td class="msg">${f.message}</td></tr>`)}</table>`}`,
  };
}
