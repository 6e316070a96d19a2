/**
 * Oracle SQL and PL/SQL checked against a real grammar: the ANTLR PlSql grammar, prebuilt for
 * TypeScript by antlr4ts-sql. No Oracle server runs here; this is what its parser would say
 * about syntax, and nothing more (names, types and privileges only a server can check).
 *
 * Each text is parsed as the kind of statement it is, the way the driver or SQL*Plus sends it:
 *  - `plsql`: one PL/SQL unit (an anonymous block, or CREATE PACKAGE [BODY] / PROCEDURE /
 *    FUNCTION / TRIGGER / TYPE), ending with its own ";";
 *  - `sql`: one SQL statement, with no ";" (through the driver, a trailing ";" is ORA-00933 or
 *    ORA-00911);
 *  - `expression`: a fragment a test compiled on its own (a clock, an interval): parsed as the
 *    select list of `SELECT … FROM DUAL`.
 * Anything after the one statement is reported too (two statements where one was meant).
 *
 * The parser is loaded on first use (about a second) and kept; results are memoised, and clean
 * ones are also remembered on disk (grammarCache.ts), so a run of `npm test` that parses nothing
 * new does not load it at all.
 */
import { createRequire } from 'node:module';
import type { ANTLRErrorListener, CharStream, ParserRuleContext, Token } from 'antlr4ts';
import type { Interval } from 'antlr4ts/misc/Interval.js';
import type { PlSqlLexer } from 'antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlLexer.js';
import type { PlSqlParser } from 'antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlParser.js';
import { rememberClean, wasClean } from './grammarCache.js';

export type OracleTextKind = 'sql' | 'plsql' | 'expression';

export interface SyntaxProblem {
  /** 1-based, within the text given. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

/** The runner's own rule (splitOracleScript): what starts a PL/SQL unit rather than a SQL statement. */
const PLSQL_UNIT = /^(begin|declare|create\s+(or\s+replace\s+)?(editionable\s+|noneditionable\s+)?(package|procedure|function|trigger|type))\b/i;

const leadingComments = /^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/;

/** What starts a SQL statement (a parenthesis only when a query follows). */
const SQL_STATEMENT = /^(\(\s*)*(select|with)\b|^(insert|update|delete|merge|create|alter|drop|truncate|rename|comment|grant|revoke|lock|savepoint|commit|rollback|set|call|explain|analyze|audit|noaudit|purge|flashback)\b/i;

export function oracleKindOf(text: string): OracleTextKind {
  const code = text.replace(leadingComments, '');
  if (PLSQL_UNIT.test(code)) return 'plsql';
  return SQL_STATEMENT.test(code) ? 'sql' : 'expression';
}

const EXPRESSION_PREFIX = 'SELECT ';

// ---------------------------------------------------------------------------------------------
// The parser, loaded once. antlr4ts-sql's index and its own case-changing stream are not used:
// the index hits a circular import, and that stream's getText passes the wrong arguments.

interface Grammar {
  lexer: PlSqlLexer;
  parser: PlSqlParser;
  modules: {
    CharStreams: typeof import('antlr4ts').CharStreams;
    CommonTokenStream: typeof import('antlr4ts').CommonTokenStream;
    BailErrorStrategy: typeof import('antlr4ts').BailErrorStrategy;
    DefaultErrorStrategy: typeof import('antlr4ts').DefaultErrorStrategy;
    PredictionMode: typeof import('antlr4ts/atn/PredictionMode.js').PredictionMode;
    Parser: typeof import('antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlParser.js').PlSqlParser;
  };
}

let grammar: Grammar | null = null;

function loadGrammar(): Grammar {
  if (grammar) return grammar;
  const require = createRequire(import.meta.url);
  const runtime = require('antlr4ts') as typeof import('antlr4ts');
  const { PredictionMode } = require('antlr4ts/atn/PredictionMode.js') as typeof import('antlr4ts/atn/PredictionMode.js');
  const { PlSqlLexer: Lexer } = require('antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlLexer.js') as typeof import('antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlLexer.js');
  const { PlSqlParser: Parser } = require('antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlParser.js') as typeof import('antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlParser.js');
  const lexer = new Lexer(runtime.CharStreams.fromString(''));
  const parser = new Parser(new runtime.CommonTokenStream(lexer));
  lexer.removeErrorListeners();
  parser.removeErrorListeners();
  grammar = {
    lexer,
    parser,
    modules: {
      CharStreams: runtime.CharStreams,
      CommonTokenStream: runtime.CommonTokenStream,
      BailErrorStrategy: runtime.BailErrorStrategy,
      DefaultErrorStrategy: runtime.DefaultErrorStrategy,
      PredictionMode,
      Parser,
    },
  };
  return grammar;
}

/** The grammar's keywords are upper case; Oracle's are not case-sensitive. Token text stays as written. */
class UpperCaseStream implements CharStream {
  constructor(private readonly inner: CharStream) {}
  get index() {
    return this.inner.index;
  }
  get size() {
    return this.inner.size;
  }
  get sourceName() {
    return this.inner.sourceName;
  }
  LA(i: number): number {
    const c = this.inner.LA(i);
    return c <= 0 ? c : String.fromCodePoint(c).toUpperCase().codePointAt(0)!;
  }
  consume() {
    this.inner.consume();
  }
  mark() {
    return this.inner.mark();
  }
  release(marker: number) {
    this.inner.release(marker);
  }
  seek(index: number) {
    this.inner.seek(index);
  }
  getText(interval: Interval) {
    return this.inner.getText(interval);
  }
}

/**
 * ANTLR lists every token it would have accepted, often hundreds: kept only when short. A lexer
 * error quotes the rest of the text: cut to its start.
 */
function shorten(message: string): string {
  return message
    .replace(/ expecting \{([^}]*)\}/, (all, set: string) => (set.split(', ').length <= 6 ? all : ''))
    .replace(/^(token recognition error at: '.{0,30})[^]*$/, "$1…': an unterminated literal, or a character Oracle does not take there");
}

class Collect implements ANTLRErrorListener<unknown> {
  readonly problems: SyntaxProblem[] = [];
  syntaxError(_r: unknown, _symbol: unknown, line: number, column: number, message: string) {
    this.problems.push({ line, column: column + 1, message: shorten(message) });
  }
}

type Rule = (parser: PlSqlParser) => ParserRuleContext;

/** The grammar rule of a PL/SQL unit, by how it starts: parsed as that and nothing else. */
function plsqlRule(text: string): Rule {
  const head = /^(?:create\s+(?:or\s+replace\s+)?(?:(?:non)?editionable\s+)?(package\s+body|package|procedure|function|trigger|type))?/i.exec(text.replace(leadingComments, ''))![1];
  switch (head?.toLowerCase().replace(/\s+/, ' ')) {
    case undefined:
      return (p) => p.anonymous_block();
    case 'package body':
      return (p) => p.create_package_body();
    case 'package':
      return (p) => p.create_package();
    case 'procedure':
      return (p) => p.create_procedure_body();
    case 'function':
      return (p) => p.create_function_body();
    case 'trigger':
      return (p) => p.create_trigger();
    default:
      return (p) => p.create_type();
  }
}

/** The grammar's statement rule; a PL/SQL call is not a SQL statement. */
function sqlStatement(parser: PlSqlParser): ParserRuleContext {
  const unit = parser.unit_statement();
  const plsql = unit.anonymous_block() ?? unit.procedure_call() ?? unit.create_package() ?? unit.create_package_body() ?? unit.create_procedure_body() ?? unit.create_function_body() ?? unit.create_trigger() ?? unit.create_type();
  if (plsql) throw new WrongKind(unit, 'a PL/SQL call where one SQL statement was expected');
  return unit;
}

/**
 * The statement rule does not end at the end of the text, so its fast prediction may stop early
 * at a word it can take for an alias (`FROM T FETCH FIRST …`); the script rule does. A text is
 * one statement when the script rule finds exactly one in it.
 */
function oneStatementScript(parser: PlSqlParser): ParserRuleContext {
  const script = parser.sql_script();
  const [, second] = script.unit_statement();
  const extra = second ?? script.sql_plus_command()[0];
  if (extra) throw new WrongKind(extra, `the statement ends before '${extra.start.text}': what follows is a clause Oracle does not have here, or a second statement`);
  return script;
}

class WrongKind extends Error {
  constructor(
    readonly at: ParserRuleContext,
    message: string,
  ) {
    super(message);
  }
}

const problemAt = (token: Token, message: string): SyntaxProblem => ({ line: token.line, column: token.charPositionInLine + 1, message });

/** `rule` over the whole of `text`: lexer and parser errors, or what is left after the rule. */
function parseWith(text: string, rule: Rule, { sql }: { sql: boolean }): { problems: SyntaxProblem[]; rest: Token | null } {
  const { lexer, parser, modules } = loadGrammar();
  const problems = new Collect();
  // The grammar's DDL rules take the ";" SQL*Plus strips before sending, its DML rules do not:
  // a SQL statement is parsed with one appended (on its last line, so no position moves).
  lexer.inputStream = new UpperCaseStream(modules.CharStreams.fromString(sql ? `${text} ;` : text));
  lexer.removeErrorListeners();
  lexer.addErrorListener(problems);
  const tokens = new modules.CommonTokenStream(lexer);
  tokens.fill();
  // Two stages, as ANTLR recommends: the fast SLL prediction, which is exact for a text that
  // parses, and the full LL one only to report the errors of a text that does not.
  const attempt = (mode: 'SLL' | 'LL') => {
    tokens.seek(0);
    parser.inputStream = tokens;
    parser.removeErrorListeners();
    parser.interpreter.setPredictionMode(mode === 'SLL' ? modules.PredictionMode.SLL : modules.PredictionMode.LL);
    parser.errorHandler = mode === 'SLL' ? new modules.BailErrorStrategy() : new modules.DefaultErrorStrategy();
    if (mode === 'LL') parser.addErrorListener(problems);
    rule(parser);
  };
  try {
    try {
      attempt('SLL');
    } catch (error) {
      if (error instanceof WrongKind) throw error;
      attempt('LL');
    }
  } catch (error) {
    if (!(error instanceof WrongKind)) throw error;
    return { problems: [problemAt(error.at.start, error.message)], rest: null };
  }
  if (problems.problems.length > 0) return { problems: problems.problems, rest: null };
  if (sql && tokens.LA(1) === modules.Parser.SEMICOLON) tokens.consume();
  return { problems: [], rest: tokens.LA(1) === modules.Parser.EOF ? null : (tokens.LT(1) as Token) };
}

/** The grammar's verdict with no memo, cache or gap list (for the tests of this file). */
export function parseNow(text: string, kind: OracleTextKind): SyntaxProblem[] {
  if (kind === 'expression') {
    return parseNow(`${EXPRESSION_PREFIX}${text} FROM DUAL`, 'sql').map((p) => (p.line === 1 ? { ...p, column: Math.max(1, p.column - EXPRESSION_PREFIX.length) } : p));
  }
  if (kind === 'sql') {
    const semicolon = /;\s*$/.exec(text.replace(/\s*--[^\n]*$/, ''));
    if (semicolon) return [positionAt(text, semicolon.index, 'a ";" ends the statement: sent through the driver that is ORA-00933/ORA-00911')];
  }
  const { problems, rest } = parseWith(text, kind === 'sql' ? sqlStatement : plsqlRule(text), { sql: kind === 'sql' });
  if (!rest) return problems;
  if (kind === 'sql') return parseWith(text, oneStatementScript, { sql: true }).problems;
  return [problemAt(rest, `text after the end of the unit at '${rest.text}' (a missing "/" line, or two units in one)`)];
}

function positionAt(text: string, index: number, message: string): SyntaxProblem {
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1, message };
}

/**
 * Valid Oracle this grammar rejects, matched on the whole text so nothing else hides behind an
 * entry. The test of this file shows each one still fails to parse: an entry the grammar has
 * learnt must go.
 */
export const GRAMMAR_GAPS: readonly { text: RegExp; example: string; why: string }[] = [
  { text: /^ALTER SESSION SET [A-Z_]+ = \d+$/i, example: 'ALTER SESSION SET DDL_LOCK_TIMEOUT = 60', why: 'its ALTER SESSION SET takes only a name as the value, not a number' },
];

const memo = new Map<string, SyntaxProblem[]>();

/** Every syntax error in `text` parsed as `kind` (by default the kind it starts as); [] when it parses. */
export function oracleSyntaxProblems(text: string, kind: OracleTextKind = oracleKindOf(text)): SyntaxProblem[] {
  const key = `${kind}\0${text}`;
  if (GRAMMAR_GAPS.some((gap) => gap.text.test(text.trim()))) return [];
  const known = memo.get(key) ?? (wasClean(key) ? [] : undefined);
  if (known) return known;
  const problems = parseNow(text, kind);
  memo.set(key, problems);
  if (problems.length === 0) rememberClean(key);
  return problems;
}

/** One problem as an editor shows it: `where:line:column: message`, then the line and a caret. */
export function describeProblem(text: string, problem: SyntaxProblem, where = '', firstLine = 1): string {
  const source = text.split('\n')[problem.line - 1] ?? '';
  const at = `${where ? `${where}:` : ''}${problem.line + firstLine - 1}:${problem.column}`;
  return `${at}: ${problem.message}\n  ${source}\n  ${' '.repeat(Math.max(0, problem.column - 1))}^`;
}

/** Throws, naming line and column, unless `text` parses as one Oracle statement of its kind. */
export function assertOracleGrammar(text: string, options: { kind?: OracleTextKind; where?: string; firstLine?: number } = {}): void {
  const problems = oracleSyntaxProblems(text, options.kind);
  if (problems.length === 0) return;
  const where = options.where ?? 'Oracle statement';
  throw new Error(`${problems.map((p) => describeProblem(text, p, where, options.firstLine)).join('\n')}\n--- the statement:\n${text}`);
}
