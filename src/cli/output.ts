/** Human tables by default, `--json` for machines: every command prints through these. */

export interface OutputOptions {
  json?: boolean;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function formatTable<T extends object>(rows: readonly T[], columns?: readonly (keyof T & string)[]): string {
  if (rows.length === 0) return '(none)';
  const cols: readonly string[] = columns ?? Object.keys(rows[0]!);
  const cells = rows.map((row) => cols.map((c) => cell((row as Record<string, unknown>)[c]).replace(/\s+/g, ' ')));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

export function print(data: unknown, options: OutputOptions, human: () => string): void {
  process.stdout.write(`${options.json ? JSON.stringify(data, null, 2) : human()}\n`);
}
