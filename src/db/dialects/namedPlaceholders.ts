import { UserError } from '../../errors.js';

/**
 * PostgreSQL only knows `$1 … $n`; report SQL shared with Oracle habits uses `:name`. This
 * rewrites each `:name` outside string literals, quoted identifiers, dollar-quoted bodies and
 * comments into a positional bind (the same name → the same `$n`), and leaves `::` casts
 * alone. Names match case-insensitively, and every parameter must be used, as on Oracle
 * (node-oracledb refuses a bind name the statement lacks: NJS-097).
 */
export interface PositionalQuery {
  text: string;
  values: unknown[];
}

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_$]/u;

/** End (exclusive) of a `'…'` literal starting at `start`; `backslash` for E'…' strings. */
function endOfQuoted(sql: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

/** End of a block comment; PostgreSQL block comments nest. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** The `$tag$` opening a dollar-quoted string at `start`, or null when `$` starts something else. */
function dollarTag(sql: string, start: number): string | null {
  const match = /^\$([\p{L}_][\p{L}\p{N}_]*)?\$/u.exec(sql.slice(start, start + 64));
  return match ? match[0] : null;
}

function isIdentPart(c: string | undefined): boolean {
  return c !== undefined && IDENT_PART.test(c);
}

export function toPositionalBinds(sql: string, params: Readonly<Record<string, unknown>>): PositionalQuery {
  const given = new Map<string, { key: string; value: unknown }>();
  for (const [key, value] of Object.entries(params)) {
    const name = key.toLowerCase();
    const twin = given.get(name);
    if (twin) throw new UserError(`params has both "${twin.key}" and "${key}": bind names are case-insensitive`);
    given.set(name, { key, value });
  }
  const order: string[] = [];
  let text = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const prev = sql[i - 1];
    let end = i + 1;
    if (c === "'") {
      end = endOfQuoted(sql, i, "'", (prev === 'E' || prev === 'e') && !isIdentPart(sql[i - 2]));
    } else if (c === '"') {
      end = endOfQuoted(sql, i, '"', false);
    } else if (sql.startsWith('--', i)) {
      const newline = sql.indexOf('\n', i);
      end = newline < 0 ? sql.length : newline;
    } else if (sql.startsWith('/*', i)) {
      end = endOfBlockComment(sql, i);
    } else if (c === '$' && !isIdentPart(prev)) {
      if (/\d/.test(sql[i + 1] ?? '')) {
        throw new UserError('report SQL mixes $n and :name placeholders: with params given by name, use :name only');
      }
      const tag = dollarTag(sql, i);
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        end = close < 0 ? sql.length : close + tag.length;
      }
    } else if (c === ':' && sql[i + 1] === ':') {
      end = i + 2;
    } else if (c === ':' && IDENT_START.test(sql[i + 1] ?? '') && !isIdentPart(prev)) {
      end = i + 2;
      while (end < sql.length && /[\p{L}\p{N}_]/u.test(sql[end]!)) end += 1;
      const name = sql.slice(i + 1, end).toLowerCase();
      if (!given.has(name)) throw new UserError(`report SQL uses :${sql.slice(i + 1, end)} but params has no "${sql.slice(i + 1, end)}"`);
      let position = order.indexOf(name);
      if (position < 0) position = order.push(name) - 1;
      text += `$${position + 1}`;
      i = end;
      continue;
    }
    text += sql.slice(i, end);
    i = end;
  }
  const unused = [...given.values()].filter(({ key }) => !order.includes(key.toLowerCase()));
  if (unused.length > 0) {
    throw new UserError(`no bind placeholder named ":${unused[0]!.key}" was found in the report SQL`);
  }
  return { text, values: order.map((name) => given.get(name)!.value) };
}

