import { sql } from 'kysely';
import type { Dialect } from '../../src/db/dialects/dialect.js';
import type { ExecuteRequest, StopCause } from '../../src/engine/execution.js';

/**
 * A stand-in for the engine in worker tests: the worker's collaborator, not the database's.
 * Each run records its start and end (database clock) in `test_runs`, works for the payload's
 * `work_ms`, fails when the payload says `fail`, and obeys the stop/kill signals like a flow.
 */
export async function createRunsTable(dialect: Dialect): Promise<void> {
  await sql`create table if not exists test_runs (
    request_id varchar(64), mapref varchar(100), worker varchar(64),
    started_at timestamptz default clock_timestamp(), ended_at timestamptz, outcome varchar(20))`.execute(dialect.db);
}

export const recordingEngine: ExecuteRequest = async (request, ctx) => {
  const { dialect, control } = ctx;
  const payload = request.payload as { work_ms?: number; fail?: string };
  const { rows } = await sql<{ id: number }>`insert into test_runs (request_id, mapref, worker)
    values (${request.requestId}, ${request.mapref}, ${ctx.claimedBy}) returning ctid::text as id`.execute(dialect.db);
  void rows;
  const stopped = await new Promise<StopCause | null>((resolve) => {
    if (control.stop.aborted) return resolve(control.stop.reason as StopCause);
    const timer = setTimeout(() => resolve(null), payload.work_ms ?? 0);
    control.stop.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(control.stop.reason as StopCause);
    });
  });
  const outcome = stopped ? 'CANCELLED' : payload.fail ? 'FAILED' : 'DONE';
  await sql`update test_runs set ended_at = clock_timestamp(), outcome = ${outcome}
            where request_id = ${request.requestId} and ended_at is null`.execute(dialect.db);
  if (stopped) return { status: 'CANCELLED', started: true, result: { status: 'CANCELLED', message: `stopped (${stopped.kind})` } };
  if (payload.fail) return { status: 'FAILED', started: true, result: { status: 'FAILED', message: payload.fail } };
  return { status: 'DONE', started: true, result: { status: 'DONE', message: 'ok' } };
};
