import type { Dialect } from '../../src/db/dialects/dialect.js';

const EXCLUSIVE_LOCK_CLASS = 7337;
/** The MSG of a run that found another run of its MAPREF executing (see sleepingBlock). */
export const RAN_TWICE = 'ran twice at once: another run is executing';

/**
 * DWJOBFLW rows whose DWLOGIC is a PostgreSQL DO block that works for `sleepSeconds` and reports
 * counts through pkgdwprc.create_job_log, the way generated job code does.
 *
 * `exclusiveKey` makes the block a detector of concurrent runs: it holds a transaction-scoped
 * advisory lock on that key for its whole body and raises if another block holds it, i.e. if
 * two runs of the MAPREF execute on the database at the same instant (clock-free, exact).
 */
export function sleepingBlock(mapref: string, sleepSeconds: number, exclusiveKey?: number): string {
  const exclusive =
    exclusiveKey === undefined
      ? ''
      : `  IF NOT pg_try_advisory_xact_lock(${EXCLUSIVE_LOCK_CLASS}, ${exclusiveKey}) THEN
    RAISE EXCEPTION '${RAN_TWICE} ${mapref}';
  END IF;
`;
  return `DO $dwlogic$
DECLARE
  v_prcid bigint; v_sessionid numeric; v_jobid bigint; v_joblogid bigint;
BEGIN
${exclusive}  SELECT prcid, sessionid, jobid INTO v_prcid, v_sessionid, v_jobid
    FROM dwprclog WHERE mapref = '${mapref}' AND sessionid = pg_backend_pid() AND status = 'IP';
  PERFORM pg_sleep(${sleepSeconds});
  CALL pkgdwprc.create_job_log(v_joblogid, v_sessionid, v_prcid, localtimestamp(0)::timestamp, '${mapref}', v_jobid, 1, 1, 0);
END
$dwlogic$`;
}

export async function insertFlows(dialect: Dialect, flows: readonly { mapref: string; dwlogic: string }[], firstId = 1): Promise<void> {
  if (flows.length === 0) return;
  await dialect.db
    .insertInto('dwjobflw')
    .values(flows.map((f, i) => ({ jobflwid: firstId + i, jobid: firstId + i, mapref: f.mapref, dwlogic: f.dwlogic, stflg: 'A', curflg: 'Y' })))
    .execute();
}
