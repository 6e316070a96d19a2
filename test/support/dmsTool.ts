import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema.js';

/**
 * The DMS tool's own writes, in the shapes of its backend (backend/modules/jobs in
 * git-srinath/DMS3.0): what dwprc must live beside.
 */

/** Python's json.dumps with its default separators (", " and ": "), as the tool serialises payloads. */
export function pythonJson(value: Record<string, unknown>): string {
  return JSON.stringify(value).replace(/":/g, '": ').replace(/,"/g, ', "');
}

/** A DWPRCREQ row as the tool queues it: a UUID, the json.dumps payload, NEW, CURRENT_TIMESTAMP. */
export async function insertAsTheTool(db: Kysely<Database>, row: { id: string; mapref: string; type: string; payload: Record<string, unknown> }) {
  await sql`insert into ${sql.table('dwprcreq')} (request_id, mapref, request_type, payload, status, requested_at)
            values (${row.id}, ${row.mapref}, ${row.type}, ${pythonJson(row.payload)}, 'NEW', current_timestamp)`.execute(db);
}

/**
 * The later UI's stop: a STOP row naming the run by its STRTDT (Python isoformat, no zone) and,
 * right after it, the UI's own close of that run's row. In one transaction here, so that the
 * close has landed before any worker sees the STOP row: the order dwprc used to lose.
 */
export async function stopFromTheLaterUi(db: Kysely<Database>, run: { stopId: string; mapref: string; force: 'Y' | 'N' }): Promise<string> {
  const { rows } = await sql<{ start: string }>`
    select to_char(strtdt, 'YYYY-MM-DD"T"HH24:MI:SS.US') as start from ${sql.table('dwprclog')}
     where mapref = ${run.mapref} and status = 'IP' order by strtdt desc limit 1`.execute(db);
  const start = rows[0]!.start;
  await db.transaction().execute(async (trx) => {
    await insertAsTheTool(trx, { id: run.stopId, mapref: run.mapref, type: 'STOP', payload: { start_timestamp: start, force: run.force } });
    await sql`update ${sql.table('dwprclog')}
                 set status = 'FL', enddt = current_timestamp, recupdt = current_timestamp, msg = 'Job stopped by user request'
               where mapref = ${run.mapref} and status in ('IP', 'CLAIMED')
                 and strtdt between ${start}::timestamp - interval '1 hour' and ${start}::timestamp + interval '1 hour'`.execute(trx);
  });
  return start;
}
