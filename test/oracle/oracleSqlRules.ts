import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { CompiledQuery } from 'kysely';
import type oracledb from 'oracledb';
import { OracleDialect } from '../../src/db/dialects/oracle.js';
import './grammar/checkCompiledSql.js';
import { assertOracleGrammar } from './grammar/oracleGrammar.js';

/**
 * The ORACLE.md rules, checked on compiled SQL text: what no Oracle server can tell us here, and
 * what the grammar (grammar/oracleGrammar.ts, which refuses LIMIT, RETURNING without INTO, SELECT
 * without FROM, FOR UPDATE in a subquery, `::`, ON CONFLICT, ILIKE, AS before a table alias …)
 * cannot: traps that parse. Literals and quoted identifiers are masked first, so a rule never
 * fires on a column name or a value, and each rule then looks at the statement's skeleton.
 */

/** String constants dwprc's Oracle SQL may hold as literals: keywords of functions, never user values. */
const CONSTANT_LITERALS = new Set(['SECOND', 'USERENV', 'SESSIONID', 'CURRENT_SCHEMA', 'TZR', '|', '']);

/** PostgreSQL spellings that parse as Oracle SQL but fail on the server (or read differently). */
const POSTGRES_ONLY: readonly [RegExp, string][] = [
  [/\bnow\s*\(/, 'now()'],
  [/\bpg_\w+/, 'a pg_ function'],
  [/\bnextval\s*\(/, 'nextval() (Oracle: SEQ.NEXTVAL)'],
  [/\bgenerate_series\b/, 'generate_series'],
  [/\b(true|false)\b/, 'boolean literal (no SQL BOOLEAN before 23ai)'],
  [/\bstring_agg\b/, 'string_agg'],
];

interface Masked {
  /** Lower-cased text with literals as '_' (the empty one as '') and quoted identifiers as "_". */
  skeleton: string;
  literals: string[];
  identifiers: { name: string; afterAs: boolean }[];
}

function mask(sql: string): Masked {
  let skeleton = '';
  const literals: string[] = [];
  const identifiers: Masked['identifiers'] = [];
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'") {
      let j = i + 1;
      let text = '';
      for (; j < sql.length; j++) {
        if (sql[j] === "'" && sql[j + 1] === "'") {
          text += "'";
          j++;
        } else if (sql[j] === "'") break;
        else text += sql[j];
      }
      literals.push(text);
      skeleton += text === '' ? "''" : "'_'";
      i = j + 1;
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      identifiers.push({ name: sql.slice(i + 1, end), afterAs: /\bas\s*$/i.test(skeleton) });
      skeleton += '"_"';
      i = end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      i = sql.indexOf('\n', i) === -1 ? sql.length : sql.indexOf('\n', i);
    } else {
      skeleton += c.toLowerCase();
      i += 1;
    }
  }
  return { skeleton, literals, identifiers };
}

/** Every rule this SQL breaks, one line each; [] when it is fine for Oracle 12c+ (given it parses). */
export function oracleSqlProblems(sql: string, parameters: readonly unknown[] = []): string[] {
  const problems: string[] = [];
  const { skeleton, literals, identifiers } = mask(sql);

  if (/\bfor\s+update\b/.test(skeleton)) {
    if (/\bfetch\s+(first|next)\b/.test(skeleton)) problems.push('FETCH FIRST with FOR UPDATE raises ORA-02014');
    if (/\brownum\b/.test(skeleton)) problems.push('ROWNUM with FOR UPDATE SKIP LOCKED picks rows before locked ones are skipped');
    if (/\boffset\b/.test(skeleton)) problems.push('OFFSET with FOR UPDATE raises ORA-02014');
  }

  for (const [pattern, name] of POSTGRES_ONLY) if (pattern.test(skeleton)) problems.push(`PostgreSQL-only syntax: ${name}`);
  if (/(=|<>|!=|\bin\s*\([^)]*)\s*''/.test(skeleton)) problems.push("a comparison with '': Oracle's empty string is NULL, so it is never true (IS NULL, or NVL)");

  for (const { name, afterAs } of identifiers) {
    if (!afterAs && name !== name.toUpperCase()) problems.push(`quoted identifier "${name}" is not upper case (Oracle's unquoted names are)`);
  }
  for (const literal of literals) {
    if (!CONSTANT_LITERALS.has(literal)) problems.push(`string literal '${literal}' in the SQL text: values must be binds`);
  }
  const placeholders = new Set([...skeleton.matchAll(/(?<![:\w]):(\d+)\b/g)].map((m) => Number(m[1])));
  const expected = new Set(parameters.map((_, i) => i + 1));
  if (!isDeepStrictEqual(placeholders, expected)) {
    problems.push(`binds :1…:${parameters.length} expected, the text has ${[...placeholders].map((n) => `:${n}`).join(', ') || 'none'}`);
  }
  return problems;
}

type Compilable = CompiledQuery | { compile(): CompiledQuery };

/**
 * Compiles `query` (a builder compiled by its own Oracle Kysely, or an already compiled query),
 * asserts it parses as Oracle SQL (the PlSql grammar: grammar/oracleGrammar.ts), breaks no rule,
 * and that each of `binds` (the user values the test passed in) travels as a bind and not in the
 * text. Returns the compiled query for exact pins.
 */
export function assertOracleSql(query: Compilable, options: { binds?: readonly unknown[] } = {}): CompiledQuery {
  const compiled = 'compile' in query ? query.compile() : query;
  assertOracleGrammar(compiled.sql);
  assert.deepEqual(oracleSqlProblems(compiled.sql, compiled.parameters), [], compiled.sql);
  for (const value of options.binds ?? []) {
    assert.ok(
      compiled.parameters.some((p) => isDeepStrictEqual(p, value)),
      `${JSON.stringify(value)} is bound: ${JSON.stringify(compiled.parameters)} (${compiled.sql})`,
    );
    if (typeof value === 'string') assert.ok(!compiled.sql.includes(value), `${value} does not appear in the text: ${compiled.sql}`);
  }
  return compiled;
}

/**
 * An OracleDialect whose pool refuses every connection: its `db` and clock expressions compile
 * the very SQL the runtime sends, and nothing can reach a server by accident.
 */
export function compileOnlyOracle(tablePrefix = 'DW'): OracleDialect {
  const refuse = async () => {
    throw new Error('compile-only Oracle dialect: no connection');
  };
  const pool = { getConnection: refuse, close: async () => undefined } as unknown as oracledb.Pool;
  return OracleDialect.overPool(pool, { user: 'u', password: 'p', connectString: 'none', schema: null, tablePrefix, poolMax: 1 });
}
