/**
 * Every statement of an Oracle script, and the literal SQL its blocks run with EXECUTE
 * IMMEDIATE, through the grammar; each problem as `file:line:column: message` on the file's lines.
 */
import { oracleSyntaxProblems } from './oracleGrammar.js';
import { dynamicStatements, scriptStatements, type ScriptStatement } from './sqlplusStatements.js';

export interface ScriptProblem {
  line: number;
  column: number;
  message: string;
  /** `file:line:column: message`. */
  text: string;
}

function problemsOf(file: string, statement: ScriptStatement, inLiteral: boolean): ScriptProblem[] {
  return oracleSyntaxProblems(statement.text, statement.kind).map((p) => {
    const line = statement.line + p.line - 1;
    const message = inLiteral ? `${p.message} (in the SQL run by EXECUTE IMMEDIATE${p.line === 1 ? '; column within the literal' : ''})` : p.message;
    return { line, column: p.column, message, text: `${file}:${line}:${p.column}: ${message}` };
  });
}

export function scriptGrammarProblems(file: string, script: string): ScriptProblem[] {
  return scriptStatements(script).flatMap((statement) => [
    ...problemsOf(file, statement, false),
    ...(statement.kind === 'plsql' ? dynamicStatements(statement.text, statement.line).flatMap((d) => problemsOf(file, d, true)) : []),
  ]);
}
