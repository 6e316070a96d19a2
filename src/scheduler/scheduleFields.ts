import { sql, type RawBuilder } from 'kysely';
import type { ScheduleFields } from '../schedule/index.js';

/** The DWJOBSCH columns a rule is made of. */
export interface ScheduleColumns {
  mapref: string;
  frqcd: string | null;
  frqdd: string | null;
  frqhh: string | number | null;
  frqmi: string | number | null;
  strtdt: Date | null;
  enddt: Date | null;
}

const wall = (d: Date | null) => (d ? d.toISOString().slice(0, 19) : null);

/**
 * A frequency column as text: the later tool's install stores FRQHH/FRQMI as INTEGER (the
 * drivers then return numbers), read exactly like the text the original schema holds.
 */
export function frequencyText(value: string | number | null): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Stored columns (wall-clock Dates, see schema.ts) → the text the validator reads. */
export function scheduleFields(row: ScheduleColumns): ScheduleFields {
  return {
    mapref: row.mapref,
    frqcd: row.frqcd,
    frqdd: row.frqdd,
    frqhh: frequencyText(row.frqhh),
    frqmi: frequencyText(row.frqmi),
    strtdt: wall(row.strtdt),
    enddt: row.enddt ? row.enddt.toISOString().slice(0, 10) : null,
  };
}

/**
 * What NXT_RUN_DT was computed from, as SQL both dialects evaluate alike (`||` and TO_CHAR
 * exist in both; Oracle's '' is NULL, and NULL || x = x there, so coalesce to '' agrees).
 * A row edited in place by the UI no longer matches its stored NXT_RUN_SIG.
 */
export function signatureSql(zone: string): RawBuilder<string> {
  const part = (column: string, format?: string) =>
    format ? sql`coalesce(to_char(${sql.ref(column)}, ${format}), '')` : sql`coalesce(${sql.ref(column)} || '', '')`;
  return sql<string>`(${part('frqcd')} || '|' || ${part('frqdd')} || '|' || ${part('frqhh')} || '|' || ${part('frqmi')}
    || '|' || ${part('strtdt', 'YYYY-MM-DD HH24:MI:SS')} || '|' || ${part('enddt', 'YYYY-MM-DD')} || '|' || ${zone})`;
}

/** The same signature computed from a row in TypeScript, to store beside NXT_RUN_DT. */
export function signatureOf(row: ScheduleColumns, zone: string): string {
  const text = (v: string | number | null) => frequencyText(v) ?? '';
  const strt = row.strtdt ? row.strtdt.toISOString().slice(0, 19).replace('T', ' ') : '';
  const end = row.enddt ? row.enddt.toISOString().slice(0, 10) : '';
  return [text(row.frqcd), text(row.frqdd), text(row.frqhh), text(row.frqmi), strt, end, zone].join('|');
}
