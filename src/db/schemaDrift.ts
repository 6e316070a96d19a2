import type { ColumnInfo } from './dialects/dialect.js';
import { objectName } from './tableNames.js';

type Tables = ReadonlyMap<string, ReadonlyMap<string, ColumnInfo>>;

/** The tables the drift checks read (default names). */
export const DRIFT_TABLES = ['dwjobsch', 'dwmaprsql'] as const;

const isText = (column: ColumnInfo | undefined) => !column || /^(character varying|varchar|char|text|nvarchar)/.test(column.type);

/**
 * What an existing schema does differently from the one dwprc creates, and `db migrate` cannot
 * reconcile by adding (it never alters or drops what is there): one line each, for `db migrate`
 * and `doctor`. Pure; `tables` is Dialect.describeTables of DRIFT_TABLES.
 */
export function schemaDrift(tables: Tables, prefix: string): string[] {
  const name = (table: string, column?: string) => `${objectName(table, prefix).toUpperCase()}${column ? `.${column.toUpperCase()}` : ''}`;
  const lines: string[] = [];
  const schedule = tables.get('dwjobsch');
  if (schedule) {
    const jobid = schedule.get('jobid');
    if (jobid && !jobid.nullable) {
      lines.push(`${name('dwjobsch', 'jobid')} is NOT NULL: a schedule saved without a JOBID (by dwprc, and by the tool's own save) is refused; allow NULLs in it to save schedules`);
    }
    const numeric = ['frqhh', 'frqmi'].filter((c) => schedule.has(c) && !isText(schedule.get(c)));
    if (numeric.length) {
      lines.push(`${numeric.map((c) => name('dwjobsch', c)).join(' and ')} ${numeric.length > 1 ? 'are' : 'is'} numeric (${schedule.get(numeric[0]!)!.type}): read like text; leading zeros are not kept`);
    }
    const unread = ['strdt', 'enableflg'].filter((c) => schedule.has(c));
    if (unread.length) {
      lines.push(
        `${unread.map((c) => name('dwjobsch', c)).join(' and ')} ${unread.length > 1 ? 'are' : 'is'} not read by dwprc nor by the tool's own code, which use STRTDT and SCHFLG (added empty where missing): schedules saved before keep no start date until they are saved again`,
      );
    }
  }
  const sql = tables.get('dwmaprsql');
  if (sql && !sql.has('dwmaprsqlcd') && !sql.has('maprsqlcd')) lines.push(`${name('dwmaprsql')} has neither DWMAPRSQLCD nor MAPRSQLCD: REPORT requests cannot find their SQL`);
  return lines;
}

/** Which naming the report SQL table uses: the original DWMAPRSQL* or the later tool's MAPRSQL*. */
export function reportSqlNaming(tables: Tables): 'dw' | 'later' {
  const columns = tables.get('dwmaprsql');
  return columns && !columns.has('dwmaprsqlcd') && columns.has('maprsqlcd') ? 'later' : 'dw';
}
