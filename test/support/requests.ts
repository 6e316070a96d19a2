import { sql } from 'kysely';
import type { Dialect } from '../../src/db/dialects/dialect.js';

export interface RowSpec {
  id: string;
  mapref?: string;
  type?: string;
  payload?: string | null;
  /** Seconds after a fixed base instant, so queue order is explicit. */
  at?: number;
}

/** Inserts DWPRCREQ rows the way the web UI does: plain INSERTs, defaults for the rest. */
export async function insertRequests(dialect: Dialect, rows: readonly RowSpec[]): Promise<void> {
  if (rows.length === 0) return;
  await dialect.db
    .insertInto('dwprcreq')
    .values(
      rows.map((r, i) => ({
        requestId: r.id,
        mapref: r.mapref ?? 'M1',
        requestType: r.type ?? 'IMMEDIATE',
        payload: r.payload ?? null,
        requestedAt: new Date(Date.UTC(2026, 0, 1) + (r.at ?? i) * 1000),
      })),
    )
    .execute();
}

export async function statuses(dialect: Dialect): Promise<Record<string, string>> {
  const rows = await dialect.db.selectFrom('dwprcreq').select(['requestId', 'status']).execute();
  return Object.fromEntries(rows.map((r) => [r.requestId, r.status]));
}

export async function clearQueue(dialect: Dialect): Promise<void> {
  await sql`truncate dwprcreq, dwprclog, dwjoblog, dwjoberr`.execute(dialect.db);
}
