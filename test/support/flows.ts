import type { Dialect } from '../../src/db/dialects/dialect.js';

/**
 * DWJOBFLW rows whose DWLOGIC is a PostgreSQL DO block that works for `sleepSeconds` and reports
 * counts through pkgdwprc.create_job_log, the way generated job code does.
 */
export function sleepingBlock(mapref: string, sleepSeconds: number): string {
  return `DO $dwlogic$
DECLARE
  v_prcid bigint; v_sessionid numeric; v_jobid bigint; v_joblogid bigint;
BEGIN
  SELECT prcid, sessionid, jobid INTO v_prcid, v_sessionid, v_jobid
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
