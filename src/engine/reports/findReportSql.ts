import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Exported to pin its Oracle SQL. */
export function reportSqlQuery(db: Kysely<Database>, code: string) {
  return db.selectFrom('dwmaprsql').select('dwmaprsql').where('dwmaprsqlcd', '=', code).where('curflg', '=', 'Y').orderBy('dwmaprsqlid', 'desc');
}

/**
 * The current SQL of a DWMAPRSQL code: undefined when the code has no current row, null when
 * its text is empty. Should two rows be current, the newest id wins.
 */
export async function findReportSql(db: Kysely<Database>, code: string): Promise<string | null | undefined> {
  const row = await reportSqlQuery(db, code).executeTakeFirst();
  if (!row) return undefined;
  return row.dwmaprsql?.trim() ? row.dwmaprsql : null;
}
