import type { ColumnKind } from '../../db/dialects/dialect.js';

/**
 * Report values → typed XLSX cells: numbers as numbers, dates as Excel dates (a Date whose UTC
 * fields are the wall clock: exceljs converts with getTime()), the rest as text. A value Excel
 * cannot hold faithfully stays text rather than being altered: decimals beyond 15 significant
 * digits, dates before 1900, `infinity`.
 */
export type CellValue = string | number | boolean | Date | null;

const DECIMAL = /^-?(\d+)(?:\.(\d+))?$/;
const MAX_EXCEL_DIGITS = 15;

export function excelNumber(text: string): number | string {
  const match = DECIMAL.exec(text);
  if (!match) return text;
  const digits = `${match[1]}${match[2] ?? ''}`.replace(/^0+/, '').replace(/0+$/, '');
  return digits.length <= MAX_EXCEL_DIGITS ? Number(text) : text;
}

const DATE = /^\d{4}-\d\d-\d\d$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?$/;
const TIMESTAMPTZ = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;
const EXCEL_EPOCH = Date.UTC(1900, 0, 1);

function excelDate(kind: ColumnKind, text: string): Date | string {
  let iso: string | null = null;
  if (kind === 'date' && DATE.test(text)) iso = `${text}T00:00:00Z`;
  if (kind === 'timestamp' && TIMESTAMP.test(text)) iso = `${text}Z`;
  if (kind === 'timestamptz' && TIMESTAMPTZ.test(text)) iso = text;
  if (iso === null) return text;
  // JS dates carry milliseconds: cut longer fractions instead of trusting the parser with them.
  const date = new Date(iso.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) || date.getTime() < EXCEL_EPOCH ? text : date;
}

export function cellValue(kind: ColumnKind, value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
      return excelNumber(String(value));
    case 'boolean':
      return typeof value === 'boolean' ? value : String(value);
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return excelDate(kind, String(value));
    case 'text':
      return String(value);
  }
}

/** Display format and width of a column by kind (timestamptz values are shown in UTC). */
export function columnLayout(kind: ColumnKind): { numFmt?: string; width?: number } {
  if (kind === 'date') return { numFmt: 'yyyy-mm-dd', width: 12 };
  if (kind === 'timestamp' || kind === 'timestamptz') return { numFmt: 'yyyy-mm-dd hh:mm:ss', width: 20 };
  return {};
}
