import { sql, type Kysely } from 'kysely';
import { wallTime } from '../engine/listRuns.js';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Check } from './doctor.js';

const SHOWN = 10;
const LISTED = 1000;

/**
 * DWPRCLOG rows still IP whose PRCID no CLAIMED request holds. dwprc writes a run's IP row and
 * the request's PRCID in one transaction, and ends the row before it lets go of the request, so
 * these were started elsewhere (an old DBMS_SCHEDULER job, a manual run) or left by a crash
 * before dwprc. Exported for the Oracle SQL pin.
 */
export function orphanRunsQuery(db: Kysely<Database>) {
  return db
    .selectFrom('dwprclog as l')
    .select(['l.prcid', 'l.mapref', 'l.strtdt'])
    .where('l.status', '=', 'IP')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('dwprcreq as q').select(sql`1`.as('one')).whereRef('q.prcid', '=', 'l.prcid').where('q.status', '=', 'CLAIMED'),
        ),
      ),
    )
    .orderBy('l.prcid')
    .fetch(LISTED);
}

/** doctor: IP rows no worker runs; the web UI shows them as running forever. */
export async function orphanRunsCheck(dialect: Dialect): Promise<Check> {
  const name = 'open runs';
  const rows = await orphanRunsQuery(dialect.db).execute();
  if (rows.length === 0) return { name, status: 'ok', detail: 'every DWPRCLOG row in IP belongs to a CLAIMED request' };
  const count = rows.length >= LISTED ? `${LISTED} or more` : String(rows.length);
  const listed = rows
    .slice(0, SHOWN)
    .map((r) => `PRCID ${r.prcid} (${r.mapref ?? '?'}, since ${wallTime(r.strtdt) ?? '?'})`)
    .join(', ');
  const more = rows.length > SHOWN ? ` and ${rows.length - SHOWN} more` : '';
  return {
    name,
    status: 'warn',
    detail:
      `${count} DWPRCLOG row(s) in IP that no CLAIMED request holds: ${listed}${more}; no dwprc worker runs them ` +
      '(started outside dwprc, or left by a crash before it): if no session runs them (V$SESSION / pg_stat_activity by SESSIONID), set them FL',
  };
}
