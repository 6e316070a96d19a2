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
