import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../../db/dialects/dialect.js';
import type { Database } from '../../db/schema.js';
import { reportSqlNaming } from '../../db/schemaDrift.js';

/** The columns of DWMAPRSQL under the original naming and the later tool's (MAPRSQLID/MAPRSQLCD/MAPRSQL). */
const COLUMNS = {
  dw: { id: 'dwmaprsqlid', code: 'dwmaprsqlcd', text: 'dwmaprsql' },
  later: { id: 'maprsqlid', code: 'maprsqlcd', text: 'maprsql' },
} as const;

/** Exported to pin its Oracle SQL. */
export function reportSqlQuery(db: Kysely<Database>, code: string, naming: keyof typeof COLUMNS = 'dw') {
  const c = COLUMNS[naming];
  return db
    .selectFrom('dwmaprsql')
    .select(sql.ref<string | null>(c.text).as('body'))
    .where(sql.ref(c.code), '=', code)
    .where('curflg', '=', 'Y')
    .orderBy(sql.ref(c.id), 'desc');
}

/** A schema keeps its naming while dwprc runs: looked up once per dialect. */
const namings = new WeakMap<Dialect, Promise<keyof typeof COLUMNS>>();

function namingOf(dialect: Dialect): Promise<keyof typeof COLUMNS> {
  let naming = namings.get(dialect);
  if (!naming) {
    naming = dialect.describeTables(['dwmaprsql']).then(reportSqlNaming);
    naming.catch(() => namings.delete(dialect));
    namings.set(dialect, naming);
  }
  return naming;
}

/**
 * The current SQL of a DWMAPRSQL code, under either column naming: undefined when the code has
 * no current row, null when its text is empty. Should two rows be current, the newest id wins.
 */
export async function findReportSql(dialect: Dialect, code: string): Promise<string | null | undefined> {
  const row = await reportSqlQuery(dialect.db, code, await namingOf(dialect)).executeTakeFirst();
  if (!row) return undefined;
  return row.body?.trim() ? row.body : null;
}
