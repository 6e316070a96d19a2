/**
 * Every statement Kysely compiles for Oracle in this test process goes through the grammar: a
 * text Oracle's parser would refuse makes compile() throw, naming line and column, in the test
 * that built it. This covers every pin on compiled SQL, whatever helper the test uses
 * (oracleCompiler(), compileOnlyOracle(), a dialect over a fake pool). Imported, for its effect,
 * by oracleSqlRules.ts and by the Oracle tests that do not use it (coverage.test.ts checks).
 */
import type { CompiledQuery, RootOperationNode } from 'kysely';
import { OracleQueryCompiler } from 'kysely-oracledb';
import { assertOracleGrammar } from './oracleGrammar.js';

const CHECKED = Symbol.for('dwprc.oracleGrammarChecked');
let suspended = 0;

/**
 * Runs `compile` with the check off: for the tests that build SQL Oracle rejects on purpose, to
 * show another rule (oracleSqlRules.ts) or Kysely itself produces it.
 */
export function withoutGrammarCheck<T>(compile: () => T): T {
  suspended++;
  try {
    return compile();
  } finally {
    suspended--;
  }
}

type Compile = (this: OracleQueryCompiler, node: RootOperationNode, queryId: unknown) => CompiledQuery;
const prototype = OracleQueryCompiler.prototype as unknown as { compileQuery: Compile & { [CHECKED]?: true } };

if (!prototype.compileQuery[CHECKED]) {
  const compile = prototype.compileQuery;
  const checked: Compile & { [CHECKED]?: true } = function (this: OracleQueryCompiler, node, queryId) {
    const compiled = compile.call(this, node, queryId);
    if (suspended === 0) assertOracleGrammar(compiled.sql, { where: 'compiled Oracle SQL' });
    return compiled;
  };
  checked[CHECKED] = true;
  prototype.compileQuery = checked;
}
