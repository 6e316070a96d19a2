/**
 * Every statement of an Oracle script, and the SQL its blocks run with EXECUTE IMMEDIATE where
 * it is known before run time, through the grammar; each problem as `file:line:column: message` on the file's lines.
 */
import { oracleSyntaxProblems } from './oracleGrammar.js';
import { builtStatements, dynamicStatements, scriptStatements, type ScriptStatement } from './sqlplusStatements.js';

export interface ScriptProblem {
  line: number;
  column: number;
  message: string;
  /** `file:line:column: message`. */
  text: string;
}

type Origin = 'script' | 'literal' | { builtBy: string };

function problemsOf(file: string, statement: ScriptStatement, origin: Origin): ScriptProblem[] {
  return oracleSyntaxProblems(statement.text, statement.kind).map((p) => {
    // A built statement's problems are reported at its call, their column within the built text.
    const built = typeof origin === 'object';
    const line = built ? statement.line : statement.line + p.line - 1;
    const message =
      origin === 'script'
        ? p.message
        : built
          ? `${p.message} (in the SQL ${origin.builtBy}(…) builds here for EXECUTE IMMEDIATE, at its ${p.line}:${p.column}: ${statement.text.split('\n')[p.line - 1]?.trim()})`
          : `${p.message} (in the SQL run by EXECUTE IMMEDIATE${p.line === 1 ? '; column within the literal' : ''})`;
    return { line, column: built ? 1 : p.column, message, text: `${file}:${line}:${built ? 1 : p.column}: ${message}` };
  });
}

export function scriptGrammarProblems(file: string, script: string): ScriptProblem[] {
  return scriptStatements(script).flatMap((statement) => [
    ...problemsOf(file, statement, 'script'),
    ...(statement.kind === 'plsql'
      ? [
          ...dynamicStatements(statement.text, statement.line).flatMap((d) => problemsOf(file, d, 'literal')),
          ...builtStatements(statement.text, statement.line).flatMap((b) => problemsOf(file, b, { builtBy: b.builtBy })),
        ]
      : []),
  ]);
}
