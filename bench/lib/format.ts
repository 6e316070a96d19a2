import type { Table, Target } from './scenario.js';

export const fixed = (n: number | null | undefined, digits = 1) =>
  n == null || Number.isNaN(n) ? 'n/a' : Number.isFinite(n) ? n.toFixed(digits) : '∞';

export const perSecond = (n: number | null | undefined) => (n == null ? 'n/a' : n >= 100 ? n.toFixed(0) : n.toFixed(1));

export const ratioText = (r: number | null) => (r === null ? 'n/a' : `${r.toFixed(2)}×`);

export const check = (met: boolean | null) => (met === null ? '–' : met ? 'met' : 'MISSED');

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** Aligned text for the terminal. */
export function textTable(table: Table): string {
  const lines = pad([table.columns, table.columns.map((c) => '-'.repeat(c.length)), ...table.rows]);
  return [table.title, ...lines.map((l) => `  ${l}`), ...(table.notes ?? []).map((n) => `  · ${n}`)].join('\n');
}

export function markdownTable(table: Table): string {
  const row = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    `### ${table.title}`,
    '',
    row(table.columns),
    row(table.columns.map(() => '---')),
    ...table.rows.map(row),
    ...(table.notes?.length ? ['', ...table.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

export function targetTable(targets: readonly Target[]): Table {
  return {
    title: 'Targets',
    columns: ['target', 'goal', 'this run', ''],
    rows: targets.map((t) => [t.name, t.goal, t.actual, check(t.met)]),
  };
}
