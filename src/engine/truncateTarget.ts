import { validIdentifier } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { UserError } from '../errors.js';
import type { ExecutionContext } from './execution.js';

/**
 * truncate_flag=Y: the TRUNCATE of the target named by the current DWMAPR row. The names come
 * from a table the UI edits, so both are validated as plain identifiers before they reach SQL
 * text. Resolved before any run row (a bad target refuses the request); executed by the run
 * itself, after its IP row and claim are in place, so that nothing is emptied for a run that
 * cannot start, and a failing TRUNCATE is that run's recorded error.
 */
export async function targetTruncation(mapref: string, context: Pick<ExecutionContext, 'dialect'>): Promise<string> {
  const { schema, table } = await targetTable(mapref, context);
  return truncateStatement(context.dialect, schema, table);
}

/** The validated schema (null: the connection's own) and table that truncate_flag=Y empties. */
export async function targetTable(mapref: string, context: Pick<ExecutionContext, 'dialect'>): Promise<{ schema: string | null; table: string }> {
  const target = await targetTableQuery(context.dialect, mapref).executeTakeFirst();
  if (!target) throw new UserError(`truncate_flag=Y, but no current DWMAPR row (MAPREF ${mapref}, CURFLG 'Y') names the target table`);
  try {
    const schema = target.trgschm?.trim() ? validIdentifier('DWMAPR.TRGSCHM', target.trgschm.trim()) : null;
    return { schema, table: validIdentifier('DWMAPR.TRGTBNM', target.trgtbnm?.trim() ?? '') };
  } catch (error) {
    throw new UserError(`truncate_flag=Y for ${mapref}: ${(error as Error).message}`);
  }
}

/** The current DWMAPR row naming the target (exported for the SQL pins). */
export function targetTableQuery(dialect: Pick<Dialect, 'db'>, mapref: string) {
  return dialect.db.selectFrom('dwmapr').select(['trgschm', 'trgtbnm']).where('mapref', '=', mapref).where('curflg', '=', 'Y');
}

/** Exported for the SQL pins: quoting with the dialect's case folding. */
export function truncateStatement(dialect: Pick<Dialect, 'quoteIdentifier'>, schema: string | null, table: string): string {
  const name = schema ? `${dialect.quoteIdentifier(schema)}.${dialect.quoteIdentifier(table)}` : dialect.quoteIdentifier(table);
  return `TRUNCATE TABLE ${name}`;
}
