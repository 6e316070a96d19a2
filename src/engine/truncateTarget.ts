import { sql } from 'kysely';
import { validIdentifier } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { UserError } from '../errors.js';
import type { ExecutionContext } from './execution.js';

/**
 * truncate_flag=Y: empties the target named by the current DWMAPR row before the load. The names
 * come from a table the UI edits, so both are validated as plain identifiers before they reach
 * SQL text. Returns the name truncated.
 */
export async function truncateTarget(mapref: string, context: Pick<ExecutionContext, 'dialect'>): Promise<string> {
  const { dialect } = context;
  const target = await dialect.db
    .selectFrom('dwmapr')
    .select(['trgschm', 'trgtbnm'])
    .where('mapref', '=', mapref)
    .where('curflg', '=', 'Y')
    .executeTakeFirst();
  if (!target) throw new UserError(`truncate_flag=Y, but no current DWMAPR row (MAPREF ${mapref}, CURFLG 'Y') names the target table`);
  let schema: string | null;
  let table: string;
  try {
    schema = target.trgschm?.trim() ? validIdentifier('DWMAPR.TRGSCHM', target.trgschm.trim()) : null;
    table = validIdentifier('DWMAPR.TRGTBNM', target.trgtbnm?.trim() ?? '');
  } catch (error) {
    throw new UserError(`truncate_flag=Y for ${mapref}: ${(error as Error).message}`);
  }
  const statement = truncateStatement(dialect, schema, table);
  await sql.raw(statement).execute(dialect.db);
  return statement.slice('TRUNCATE TABLE '.length);
}

/** Exported for the SQL pins: quoting with the dialect's case folding. */
export function truncateStatement(dialect: Pick<Dialect, 'quoteIdentifier'>, schema: string | null, table: string): string {
  const name = schema ? `${dialect.quoteIdentifier(schema)}.${dialect.quoteIdentifier(table)}` : dialect.quoteIdentifier(table);
  return `TRUNCATE TABLE ${name}`;
}
