/**
 * A static check of the Oracle scripts in sql/oracle/, because no Oracle server runs here: what
 * would otherwise only fail when a DBA runs `dwprc db migrate` against the live DW.
 *
 * Syntax is the PlSql grammar's job (grammar/oracleGrammar.ts): this file checks what a grammar
 * cannot see. It tokenises the scripts as Oracle does (comments, '…' and q'[…]' literals,
 * "quoted" identifiers), follows the blocks, and checks, per unit between "/" lines:
 *  - SQL*Plus: every unit ends with a "/" line; plain SQL carries no ";" (SQL*Plus would run it
 *    twice) and no blank line; no "&" (substitution prompt); DDL only inside guarded PL/SQL;
 *  - END labels naming their subprogram (PLS-00113);
 *  - package spec and body: the same subprograms with the same parameter lists, private ones
 *    defined before use, functions that RETURN;
 *  - conventions that keep values bound and names unambiguous: parameters p_*, variables
 *    v_/c_/e_*, cursors c_*, loop records v_*; no bind placeholders in scripts; no EXECUTE
 *    IMMEDIATE in package bodies (static SQL only); identifiers at most 30 characters;
 *  - Oracle traps: no DBMS_SCHEDULER or DBMS_JOB; no ROWNUM or FETCH FIRST beside FOR UPDATE;
 *  - the DW tables: %TYPE anchors, INSERT and UPDATE columns exist (CONTRACT), INSERT column and
 *    value counts agree.
 * q'[…]' literals are taken to hold SQL and are checked as SQL (an embedded CREATE PACKAGE is
 * checked as a unit); ordinary '…' literals hold data.
 * `checkTwin` compares the package with its PostgreSQL twin in sql/postgres/.
 */
import { CONTRACT } from '../../src/db/contract.js';

export interface Finding {
  line: number;
  message: string;
}

type Kind = 'word' | 'qident' | 'string' | 'number' | 'op' | 'bind';

interface Token {
  kind: Kind;
  text: string;
  /** Upper-case text for words; the text itself otherwise. */
  up: string;
  line: number;
  /** For strings: the value, and whether it was written q'…' (SQL text). */
  value?: string;
  q?: boolean;
  valueLine?: number;
}

const MAX_IDENTIFIER = 30;
const OPERATORS = [':=', '=>', '..', '||', '<=', '>=', '<>', '!=', '<<', '>>', '**'];
const Q_CLOSE: Record<string, string> = { '[': ']', '{': '}', '(': ')', '<': '>' };

function lex(text: string, firstLine: number, findings: Finding[]): Token[] {
  const tokens: Token[] = [];
  let line = firstLine;
  let i = 0;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (text[k] === '\n') line++;
    i = to;
  };
  while (i < text.length) {
    const c = text[i]!;
    const rest = text.slice(i, i + 3);
    if (/\s/.test(c)) {
      advance(i + 1);
    } else if (rest.startsWith('--')) {
      const end = text.indexOf('\n', i);
      advance(end < 0 ? text.length : end);
    } else if (rest.startsWith('/*')) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return tokens; // the grammar reports it
      advance(end + 2);
    } else if (/^[nN]?[qQ]'/.test(rest)) {
      const open = text.indexOf("'", i) + 1;
      const delimiter = text[open]!;
      const close = (Q_CLOSE[delimiter] ?? delimiter) + "'";
      const end = text.indexOf(close, open + 1);
      const start = line;
      if (end < 0) return tokens;
      const value = text.slice(open + 1, end);
      advance(end + 2);
      tokens.push({ kind: 'string', text: text.slice(i, end + 2), up: '', line: start, value, q: true, valueLine: start });
    } else if (c === "'" || (/[nN]/.test(c) && text[i + 1] === "'")) {
      const open = c === "'" ? i : i + 1;
      let k = open + 1;
      let value = '';
      for (;;) {
        if (k >= text.length) return tokens;
        if (text[k] === "'") {
          if (text[k + 1] === "'") {
            value += "'";
            k += 2;
            continue;
          }
          break;
        }
        value += text[k];
        k++;
      }
      const start = line;
      advance(k + 1);
      tokens.push({ kind: 'string', text: `'${value}'`, up: '', line: start, value, q: false });
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) return tokens;
      const name = text.slice(i + 1, end);
      if (name.length > MAX_IDENTIFIER) findings.push({ line, message: `identifier "${name}" is longer than ${MAX_IDENTIFIER} characters` });
      tokens.push({ kind: 'qident', text: name, up: name, line });
      advance(end + 1);
    } else if (/[A-Za-z]/.test(c)) {
      const word = /^[A-Za-z][A-Za-z0-9_$#]*/.exec(text.slice(i))![0];
      if (word.length > MAX_IDENTIFIER) findings.push({ line, message: `identifier ${word} is longer than ${MAX_IDENTIFIER} characters` });
      tokens.push({ kind: 'word', text: word, up: word.toUpperCase(), line });
      advance(i + word.length);
    } else if (/[0-9]/.test(c)) {
      const number = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i))![0];
      tokens.push({ kind: 'number', text: number, up: number, line });
      advance(i + number.length);
    } else if (c === ':' && /[A-Za-z]/.test(text[i + 1] ?? '')) {
      const name = /^:[A-Za-z][A-Za-z0-9_$#]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'bind', text: name, up: name.toUpperCase(), line });
      advance(i + name.length);
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i)) ?? c;
      tokens.push({ kind: 'op', text: op, up: op, line });
      advance(i + op.length);
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Units: the runner's split (a line holding only "/"), with line numbers.

interface Unit {
  text: string;
  /** Line of the file where the unit's text starts. */
  line: number;
}

const PLSQL_START = /^(begin|declare|create\s+(or\s+replace\s+)?(editionable\s+|noneditionable\s+)?(package|procedure|function|trigger|type))\b/i;

function stripLeadingComments(text: string): string {
  return text.replace(/^(\s*--[^\n]*\n|\s*\n|\s*\/\*[\s\S]*?\*\/)*/, '').trim();
}

function units(text: string, findings: Finding[]): Unit[] {
  const lines = text.split('\n');
  const result: Unit[] = [];
  let start = 0;
  for (let n = 0; n <= lines.length; n++) {
    const atEnd = n === lines.length;
    if (atEnd || /^\s*\/\s*$/.test(lines[n]!)) {
      const body = lines.slice(start, n).join('\n');
      if (stripLeadingComments(body).length > 0) {
        if (atEnd) findings.push({ line: start + 1, message: 'the last statement is not followed by a line holding only "/"' });
        result.push({ text: body, line: start + 1 });
      }
      start = n + 1;
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Subprogram signatures.

export interface Parameter {
  name: string;
  mode: 'IN' | 'OUT' | 'IN OUT';
  type: string;
  default: string | null;
}

export interface Subprogram {
  kind: 'PROCEDURE' | 'FUNCTION';
  name: string;
  params: Parameter[];
  returns: string | null;
  line: number;
  /** Index of the name token in the unit's tokens. */
  at: number;
  hasBody: boolean;
}

const tokensText = (tokens: Token[]) =>
  tokens
    .map((t) => (t.kind === 'word' ? t.up : t.text))
    .join(' ')
    .replace(/\s*([().,%])\s*/g, '$1');

/** Splits tokens at top-level commas. */
function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) parts.push([]);
    else parts.at(-1)!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/** Index of the ")" closing the "(" at `open`. */
function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k]!.text === '(') depth++;
    if (tokens[k]!.text === ')' && --depth === 0) return k;
  }
  return tokens.length - 1;
}

function parseParameters(tokens: Token[]): Parameter[] {
  return splitTopLevel(tokens).map((part) => {
    const name = part[0]?.text.toLowerCase() ?? '';
    let k = 1;
    let mode: Parameter['mode'] = 'IN';
    if (part[k]?.up === 'IN' && part[k + 1]?.up === 'OUT') {
      mode = 'IN OUT';
      k += 2;
    } else if (part[k]?.up === 'IN') k++;
    else if (part[k]?.up === 'OUT') {
      mode = 'OUT';
      k++;
    }
    if (part[k]?.up === 'NOCOPY') k++;
    const defaultAt = part.findIndex((t, n) => n >= k && (t.up === 'DEFAULT' || t.text === ':='));
    const type = tokensText(part.slice(k, defaultAt < 0 ? undefined : defaultAt));
    const value = defaultAt < 0 ? null : tokensText(part.slice(defaultAt + 1));
    return { name, mode, type, default: value };
  });
}

// ---------------------------------------------------------------------------------------------
// The checks of one PL/SQL unit.

type FrameKind = 'PACKAGE' | 'SUBPROGRAM' | 'BLOCK' | 'IF' | 'LOOP' | 'CASE';

interface Frame {
  kind: FrameKind;
  line: number;
  name?: string;
  /** Past BEGIN: statements, not declarations. */
  executable: boolean;
  /** For PACKAGE: spec or body. */
  body?: boolean;
  sub?: Subprogram;
}

export interface UnitReport {
  packageName: string | null;
  packageBody: boolean;
  subprograms: Subprogram[];
}

const SPEC_ITEM_WORDS = new Set(['PROCEDURE', 'FUNCTION', 'CURSOR', 'TYPE', 'SUBTYPE', 'PRAGMA']);
const DW_TABLES = new Set(Object.keys(CONTRACT).map((t) => t.toUpperCase()));
const columnsOf = (table: string) => new Set(Object.keys(CONTRACT[table.toLowerCase()] ?? {}).map((c) => c.toUpperCase()));

class UnitChecker {
  readonly findings: Finding[] = [];
  readonly report: UnitReport = { packageName: null, packageBody: false, subprograms: [] };
  private readonly stack: Frame[] = [];
  private done = false;

  constructor(private readonly t: Token[]) {}

  private fail(line: number, message: string) {
    this.findings.push({ line, message });
  }

  private top(): Frame | undefined {
    return this.stack.at(-1);
  }

  private get executable(): boolean {
    return this.top()?.executable ?? false;
  }

  run(): UnitReport {
    const t = this.t;
    let depth = 0;
    for (let i = 0; i < t.length; i++) {
      const tok = t[i]!;
      const prev = t[i - 1];
      if (this.done) return this.report;
      if (tok.text === '(') depth++;
      if (tok.text === ')') depth--;
      if (tok.kind !== 'word') continue;
      const word = tok.up;
      if (i === 0 && word === 'CREATE') {
        i = this.createHeader(i);
        continue;
      }
      if (!this.executable && (word === 'PROCEDURE' || word === 'FUNCTION')) {
        i = this.subprogramHeader(i);
        continue;
      }
      if (!this.executable && word !== 'BEGIN' && word !== 'END' && this.atItemStart(i)) {
        i = this.declaration(i);
        continue;
      }
      switch (word) {
        case 'DECLARE':
          this.stack.push({ kind: 'BLOCK', line: tok.line, executable: false });
          break;
        case 'BEGIN': {
          const top = this.top();
          if (top && !top.executable && (top.kind === 'SUBPROGRAM' || top.kind === 'BLOCK')) top.executable = true;
          else if (top?.kind === 'PACKAGE') this.fail(tok.line, 'package initialisation sections are not supported by this check');
          else this.stack.push({ kind: 'BLOCK', line: tok.line, executable: true });
          break;
        }
        case 'IF':
        case 'LOOP':
        case 'CASE':
          if (prev?.up !== 'END') this.stack.push({ kind: word, line: tok.line, executable: true });
          break;
        case 'FOR':
          if (t[i + 1]?.kind === 'word' && t[i + 2]?.up === 'IN' && !/^V_/.test(t[i + 1]!.up)) {
            this.fail(tok.line, `loop record ${t[i + 1]!.text} must be named v_… (a bare name can capture a column)`);
          }
          break;
        case 'END':
          i = this.end(i);
          break;
        case 'DBMS_SCHEDULER':
        case 'DBMS_JOB':
          this.fail(tok.line, `${word} is not used any more: schedules live in DWJOBSCH and dwprc runs them`);
          break;
        case 'EXECUTE':
          if (this.inPackageBody()) this.fail(tok.line, 'EXECUTE IMMEDIATE in a package body: use static SQL so that every value is a bind');
          break;
        case 'INSERT':
          this.checkInsert(i);
          break;
        case 'UPDATE':
          if (prev?.up !== 'FOR') this.checkUpdate(i);
          break;
        case 'SELECT':
          this.checkSelectList(i);
          break;
        case 'TYPE':
          if (prev?.text === '%') this.checkAnchor(i);
          break;
        case 'ROWTYPE': {
          const table = t[i - 2];
          if (prev?.text === '%' && table && t[i - 3]?.text !== '.' && /^DW/.test(table.up) && !DW_TABLES.has(table.up)) {
            this.fail(tok.line, `${table.text}%ROWTYPE: no such DW table`);
          }
          break;
        }
      }
    }
    return this.report;
  }

  private inPackageBody(): boolean {
    return this.stack.some((f) => f.kind === 'PACKAGE' && f.body);
  }

  /** At the first token of a declaration item (after IS/AS, DECLARE or a ";" in a declaration section). */
  private atItemStart(i: number): boolean {
    const prev = this.t[i - 1];
    const top = this.top();
    if (!top || top.executable || !prev) return false;
    return prev.text === ';' || prev.up === 'IS' || prev.up === 'AS' || prev.up === 'DECLARE';
  }

  private declaration(i: number): number {
    const t = this.t;
    const tok = t[i]!;
    let end = i;
    let depth = 0;
    while (end < t.length && !(t[end]!.text === ';' && depth === 0)) {
      if (t[end]!.text === '(') depth++;
      if (t[end]!.text === ')') depth--;
      end++;
    }
    const item = t.slice(i, end);
    if (tok.up === 'CURSOR') {
      const name = t[i + 1];
      if (name && !/^C_/.test(name.up)) this.fail(name.line, `cursor ${name.text} must be named c_…`);
      if (t[i + 2]?.text === '(') this.checkParameterNames(parseParameters(t.slice(i + 3, closing(t, i + 2))), tok.line);
      this.checkSelectList(item.findIndex((x) => x.up === 'SELECT') + i);
    } else if (tok.up === 'PRAGMA' || tok.up === 'TYPE' || tok.up === 'SUBTYPE') {
      // declarations of types and pragmas name no value
    } else if (!SPEC_ITEM_WORDS.has(tok.up)) {
      if (!/^[VCEG]_/.test(tok.up)) this.fail(tok.line, `${tok.text}: variables, constants and exceptions are named v_…, c_…, e_… (a bare name can capture a column)`);
    }
    this.checkAnchors(i, end);
    return end;
  }

  private checkAnchors(from: number, to: number) {
    for (let k = from; k < to; k++) if (this.t[k]!.up === 'TYPE' && this.t[k - 1]?.text === '%') this.checkAnchor(k);
  }

  private checkParameterNames(params: Parameter[], line: number) {
    for (const p of params) if (!p.name.startsWith('p_')) this.fail(line, `parameter ${p.name} must be named p_… (a bare name can capture a column)`);
  }

  /** CREATE [OR REPLACE] PACKAGE [BODY] name IS|AS, or a standalone subprogram. */
  private createHeader(i: number): number {
    const t = this.t;
    let k = i + 1;
    if (t[k]?.up === 'OR' && t[k + 1]?.up === 'REPLACE') k += 2;
    if (t[k]?.up === 'EDITIONABLE' || t[k]?.up === 'NONEDITIONABLE') k++;
    if (t[k]?.up === 'PACKAGE') {
      const body = t[k + 1]?.up === 'BODY';
      const name = t[k + (body ? 2 : 1)]!;
      let is = k + (body ? 3 : 2);
      while (is < t.length && t[is]!.up !== 'IS' && t[is]!.up !== 'AS') is++;
      this.report.packageName = name.up;
      this.report.packageBody = body;
      this.stack.push({ kind: 'PACKAGE', line: t[i]!.line, name: name.up, executable: false, body });
      return is;
    }
    if (t[k]?.up === 'PROCEDURE' || t[k]?.up === 'FUNCTION') return this.subprogramHeader(k);
    if (t[k]?.up === 'TRIGGER') return this.triggerHeader(k);
    this.fail(t[i]!.line, `CREATE ${t[k]?.text ?? ''} is not handled by this check`);
    return t.length;
  }

  /** TRIGGER name … up to its block: the timing, event and table are not checked, the block is. */
  private triggerHeader(i: number): number {
    const t = this.t;
    let k = i + 2;
    while (k < t.length && t[k]!.up !== 'BEGIN' && t[k]!.up !== 'DECLARE') {
      if (t[k]!.up === 'COMPOUND') {
        this.fail(t[k]!.line, 'compound triggers are not handled by this check');
        return t.length;
      }
      k++;
    }
    return k - 1;
  }

  private subprogramHeader(i: number): number {
    const t = this.t;
    const kind = t[i]!.up as Subprogram['kind'];
    const nameTok = t[i + 1]!;
    let k = i + 2;
    let params: Parameter[] = [];
    if (t[k]?.text === '(') {
      const end = closing(t, k);
      params = parseParameters(t.slice(k + 1, end));
      k = end + 1;
    }
    this.checkParameterNames(params, nameTok.line);
    let returns: string | null = null;
    if (kind === 'FUNCTION') {
      const from = k + 1;
      while (k < t.length && !['IS', 'AS', ';'].includes(t[k]!.up)) k++;
      returns = tokensText(t.slice(from, k));
    } else {
      while (k < t.length && !['IS', 'AS', ';'].includes(t[k]!.up)) k++;
    }
    this.checkAnchors(i, k);
    const hasBody = t[k]?.up === 'IS' || t[k]?.up === 'AS';
    const sub: Subprogram = { kind, name: nameTok.up, params, returns, line: nameTok.line, at: i + 1, hasBody };
    if (this.stack.length <= 1) this.report.subprograms.push(sub);
    if (hasBody) this.stack.push({ kind: 'SUBPROGRAM', line: nameTok.line, name: nameTok.up, executable: false, sub });
    return k;
  }

  /** Pops what this END closes; the grammar has checked the nesting, this checks the label. */
  private end(i: number): number {
    const t = this.t;
    const next = t[i + 1];
    const frame = this.top();
    if (next?.up === 'IF' || next?.up === 'LOOP' || (next?.up === 'CASE' && frame?.kind === 'CASE')) {
      this.stack.pop();
      return i + 2;
    }
    if (!frame) return i;
    this.stack.pop();
    if (frame.kind === 'CASE' || frame.kind === 'IF' || frame.kind === 'LOOP') return i; // a CASE expression
    let k = i + 1;
    if (next?.kind === 'word') {
      if (frame.name && next.up !== frame.name) this.fail(next.line, `END ${next.text} closes ${frame.kind} ${frame.name} opened at line ${frame.line}`);
      if (!frame.name) this.fail(next.line, `END ${next.text}: a block without a name is closed by END;`);
      k++;
    }
    if (frame.kind === 'SUBPROGRAM' && frame.sub?.kind === 'FUNCTION' && !this.hasReturn(frame)) {
      this.fail(frame.line, `FUNCTION ${frame.name} never RETURNs a value`);
    }
    if (this.stack.length === 0) this.done = true;
    return k;
  }

  private hasReturn(frame: Frame): boolean {
    const from = frame.sub!.at;
    for (let k = from; k < this.t.length; k++) {
      const tok = this.t[k]!;
      if (tok.up === 'END' && this.t[k + 1]?.up === frame.name) return false;
      if (tok.up === 'RETURN' && this.t[k - 1]?.text !== ')' && this.t[k - 1]?.up !== frame.name && this.t[k + 1]?.text !== ';') return true;
    }
    return false;
  }

  private checkAnchor(i: number) {
    const t = this.t;
    const column = t[i - 2];
    const table = t[i - 4];
    if (t[i - 3]?.text !== '.' || !table || !column) return;
    if (DW_TABLES.has(table.up) && !columnsOf(table.up).has(column.up)) this.fail(column.line, `${table.text}.${column.text}%TYPE: no such column in COMPAT.md's ${table.text}`);
  }

  private checkInsert(i: number) {
    const t = this.t;
    if (t[i + 1]?.up !== 'INTO') return;
    const table = t[i + 2];
    if (!table || t[i + 3]?.text !== '(') return;
    const end = closing(t, i + 3);
    const columns = splitTopLevel(t.slice(i + 4, end));
    if (DW_TABLES.has(table.up)) {
      const known = columnsOf(table.up);
      for (const c of columns) if (c.length !== 1 || !known.has(c[0]!.up)) this.fail(c[0]!.line, `INSERT INTO ${table.text}: no column ${tokensText(c)} in COMPAT.md`);
    }
    if (t[end + 1]?.up === 'VALUES' && t[end + 2]?.text === '(') {
      const values = splitTopLevel(t.slice(end + 3, closing(t, end + 2)));
      if (values.length !== columns.length) this.fail(t[i]!.line, `INSERT INTO ${table.text}: ${columns.length} columns but ${values.length} values`);
    }
  }

  private checkUpdate(i: number) {
    const t = this.t;
    const table = t[i + 1];
    if (!table || !DW_TABLES.has(table.up) || t[i + 2]?.up !== 'SET') return;
    const known = columnsOf(table.up);
    let depth = 0;
    for (let k = i + 3; k < t.length; k++) {
      const tok = t[k]!;
      if (tok.text === '(') depth++;
      if (tok.text === ')') depth--;
      if (depth === 0 && (tok.text === ';' || tok.up === 'WHERE' || tok.up === 'RETURNING')) break;
      if (depth === 0 && tok.kind === 'word' && t[k + 1]?.text === '=' && (t[k - 1]?.up === 'SET' || t[k - 1]?.text === ',') && !known.has(tok.up)) {
        this.fail(tok.line, `UPDATE ${table.text} SET ${tok.text}: no such column in COMPAT.md`);
      }
    }
  }

  /** SELECT a, b FROM <one DW table> WHERE …: the plain columns must exist. */
  private checkSelectList(i: number) {
    const t = this.t;
    if (t[i]?.up !== 'SELECT') return;
    let depth = 0;
    let from = -1;
    let listEnd = -1;
    for (let k = i + 1; k < t.length; k++) {
      if (t[k]!.text === '(') depth++;
      if (t[k]!.text === ')') depth--;
      if (depth < 0 || t[k]!.text === ';') return;
      if (depth === 0 && t[k]!.up === 'INTO' && listEnd < 0) listEnd = k;
      if (depth === 0 && t[k]!.up === 'FROM') {
        from = k;
        break;
      }
    }
    if (listEnd < 0) listEnd = from;
    const table = t[from + 1];
    const after = t[from + 2];
    if (from < 0 || !table || !DW_TABLES.has(table.up) || (after && !['WHERE', 'ORDER', 'GROUP', ';', ')'].includes(after.up))) return;
    const known = columnsOf(table.up);
    for (const item of splitTopLevel(t.slice(i + 1, listEnd))) {
      const [only] = item;
      if (item.length === 1 && only!.kind === 'word' && !known.has(only!.up)) this.fail(only!.line, `SELECT … FROM ${table.text}: no column ${only!.text} in COMPAT.md`);
    }
  }

  checkForUpdate(statement: Token[]) {
    const hasForUpdate = statement.some((x, k) => x.up === 'FOR' && statement[k + 1]?.up === 'UPDATE');
    if (!hasForUpdate) return;
    for (const [k, x] of statement.entries()) {
      if (x.up === 'ROWNUM') this.fail(x.line, 'ROWNUM beside FOR UPDATE picks rows before locked ones are skipped (ORACLE.md)');
      if (x.up === 'FETCH' && ['FIRST', 'NEXT'].includes(statement[k + 1]?.up ?? '')) this.fail(x.line, 'FETCH FIRST with FOR UPDATE raises ORA-02014 (ORACLE.md)');
    }
  }
}

/** Statements of a token list, split at ";", for checks that look at one statement at a time. */
function statements(tokens: Token[]): Token[][] {
  const result: Token[][] = [[]];
  for (const tok of tokens) {
    if (tok.text === ';') result.push([]);
    else result.at(-1)!.push(tok);
  }
  return result;
}

/** Checks SQL held in a q'[…]' literal: its tokens, and a whole unit when it is CREATE PACKAGE … . */
function checkEmbedded(token: Token, findings: Finding[], reports: UnitReport[]) {
  const inner = lex(token.value!, token.valueLine!, findings);
  if (PLSQL_START.test(stripLeadingComments(token.value!))) {
    const checker = new UnitChecker(inner);
    reports.push(checker.run());
    for (const statement of statements(inner)) checker.checkForUpdate(statement);
    findings.push(...checker.findings);
  } else {
    const checker = new UnitChecker([]);
    for (const statement of statements(inner)) checker.checkForUpdate(statement);
    findings.push(...checker.findings);
    for (const tok of inner) {
      if (tok.up === 'DBMS_SCHEDULER' || tok.up === 'DBMS_JOB') findings.push({ line: tok.line, message: `${tok.up} is not used any more` });
    }
  }
}

export interface ScriptReport {
  findings: Finding[];
  units: UnitReport[];
}

/** Every check of this file for one sql/oracle/*.sql script. */
export function checkOracleScript(text: string): ScriptReport {
  const findings: Finding[] = [];
  const reports: UnitReport[] = [];
  text.split('\n').forEach((line, n) => {
    if (line.includes('&')) findings.push({ line: n + 1, message: 'SQL*Plus would prompt for a substitution variable at "&"' });
    if (/^\s*#/.test(line) || /^\s*\.\s*$/.test(line)) findings.push({ line: n + 1, message: 'SQL*Plus reads a line starting with "#", or holding only ".", as its own command' });
  });
  for (const unit of units(text, findings)) {
    const code = stripLeadingComments(unit.text);
    const tokens = lex(unit.text, unit.line, findings);
    for (const tok of tokens) {
      if (tok.kind === 'bind') findings.push({ line: tok.line, message: `bind placeholder ${tok.text} in a script: nothing binds it when the runner or SQL*Plus executes the file` });
      if (tok.kind === 'string' && tok.q) checkEmbedded(tok, findings, reports);
    }
    if (PLSQL_START.test(code)) {
      const checker = new UnitChecker(tokens);
      reports.push(checker.run());
      for (const statement of statements(tokens)) checker.checkForUpdate(statement);
      findings.push(...checker.findings);
    } else {
      const first = tokens[0];
      const line = first?.line ?? unit.line;
      if (tokens.some((x) => x.text === ';')) findings.push({ line, message: 'a plain SQL statement followed by "/" must not end with ";": SQL*Plus would run it twice' });
      if (/\n\s*\n/.test(code)) findings.push({ line, message: 'a blank line inside a plain SQL statement ends it in SQL*Plus' });
      if (/^(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b/i.test(code) && !/^CREATE\s+OR\s+REPLACE\s+(VIEW|SYNONYM)\b/i.test(code)) {
        findings.push({ line, message: 'DDL outside a PL/SQL block cannot check first whether it is needed: on the live DW every step must be idempotent' });
      }
      const checker = new UnitChecker([]);
      checker.checkForUpdate(tokens);
      findings.push(...checker.findings);
    }
  }
  return { findings, units: reports };
}

// ---------------------------------------------------------------------------------------------
// Package spec against body, and against the PostgreSQL twin.

const signature = (s: Subprogram) => `${s.kind} ${s.name}(${s.params.map((p) => `${p.name} ${p.mode} ${p.type}${p.default === null ? '' : ` DEFAULT ${p.default}`}`).join(', ')})${s.returns ? ` RETURN ${s.returns}` : ''}`;

/** The package's spec and body (from one script's units) must declare the same public subprograms. */
export function checkPackage(name: string, reports: UnitReport[], bodyText: string): Finding[] {
  const findings: Finding[] = [];
  const spec = reports.find((r) => r.packageName === name && !r.packageBody);
  const body = reports.find((r) => r.packageName === name && r.packageBody);
  if (!spec || !body) return [{ line: 1, message: `package ${name}: spec and body expected in the same script` }];
  for (const entry of spec.subprograms) {
    const implementation = body.subprograms.find((s) => s.name === entry.name && s.hasBody);
    if (!implementation) findings.push({ line: entry.line, message: `${entry.name} is declared in the spec of ${name} but has no body` });
    else if (signature(implementation) !== signature(entry)) {
      findings.push({ line: implementation.line, message: `${entry.name}: the body's header differs from the spec's\n  spec: ${signature(entry)}\n  body: ${signature(implementation)}` });
    }
  }
  // A private subprogram must be defined before its first use (PLS-00313 otherwise).
  const findings2 = lex(bodyText, 1, []);
  for (const sub of body.subprograms.filter((s) => !spec.subprograms.some((e) => e.name === s.name))) {
    const first = findings2.find((tok, k) => tok.up === sub.name && findings2[k - 1]?.text !== '.');
    if (first && first.line < sub.line) findings.push({ line: first.line, message: `${sub.name} is used before its definition at line ${sub.line}` });
  }
  return findings;
}

export interface Routine {
  name: string;
  params: { name: string; mode: string; default: string | null }[];
}

function splitOutsideParentheses(text: string): string[] {
  const parts = [''];
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) parts.push('');
    else parts[parts.length - 1] += c;
  }
  return parts;
}

/** `create or replace function|procedure <schema>.<name>(…)` of PostgreSQL scripts. */
export function postgresRoutines(text: string, schema: string): Routine[] {
  const result: Routine[] = [];
  const header = new RegExp(`create\\s+or\\s+replace\\s+(?:function|procedure)\\s+${schema}\\.(\\w+)\\s*\\(`, 'gi');
  for (const match of text.matchAll(header)) {
    let depth = 1;
    let k = match.index + match[0].length;
    const start = k;
    while (depth > 0 && k < text.length) {
      if (text[k] === '(') depth++;
      if (text[k] === ')') depth--;
      k++;
    }
    const list = text.slice(start, k - 1).replace(/--[^\n]*/g, '');
    const params = splitOutsideParentheses(list)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const m = /^(?:(inout|out|in)\s+)?(\w+)\s+[^]*?(?:\s+default\s+([^]+))?$/i.exec(p)!;
        return { name: m[2]!.toLowerCase(), mode: (m[1] ?? 'in').toLowerCase(), default: m[3]?.trim() ?? null };
      });
    result.push({ name: match[1]!.toLowerCase(), params });
  }
  return result;
}

/**
 * The Oracle package and its PostgreSQL twin: every public Oracle entry point exists in the
 * schema with the same parameter names, modes and defaults, in order, except `oracleOnly`
 * parameters; every other routine of the schema exists as a private subprogram of the body.
 */
export function checkTwin(reports: UnitReport[], name: string, postgres: Routine[], oracleOnly: Record<string, string[]>): Finding[] {
  const findings: Finding[] = [];
  const spec = reports.find((r) => r.packageName === name && !r.packageBody)?.subprograms ?? [];
  const body = reports.find((r) => r.packageName === name && r.packageBody)?.subprograms ?? [];
  const mode = (m: string) => ({ 'IN OUT': 'inout', IN: 'in', OUT: 'out' })[m] ?? m;
  for (const entry of spec) {
    const twin = postgres.find((r) => r.name === entry.name.toLowerCase());
    if (!twin) {
      findings.push({ line: entry.line, message: `${name}.${entry.name} has no twin ${name.toLowerCase()}.${entry.name.toLowerCase()} in PostgreSQL` });
      continue;
    }
    const skip = new Set(oracleOnly[entry.name] ?? []);
    const oracle = entry.params.filter((p) => !skip.has(p.name)).map((p) => `${p.name} ${mode(p.mode)}${p.default === null ? '' : ` = ${p.default}`}`);
    const pg = twin.params.map((p) => `${p.name} ${p.mode}${p.default === null ? '' : ` = ${p.default.toUpperCase()}`}`);
    if (oracle.join(', ') !== pg.join(', ')) {
      findings.push({ line: entry.line, message: `${entry.name}: parameters differ from the PostgreSQL twin\n  oracle:   ${oracle.join(', ')}\n  postgres: ${pg.join(', ')}` });
    }
  }
  for (const routine of postgres) {
    if (spec.some((s) => s.name.toLowerCase() === routine.name)) continue;
    const privateTwin = body.find((s) => s.name.toLowerCase() === routine.name);
    if (!privateTwin) findings.push({ line: 1, message: `${name.toLowerCase()}.${routine.name} exists in PostgreSQL but not in the Oracle package` });
    else if (privateTwin.params.map((p) => p.name).join(',') !== routine.params.map((p) => p.name).join(',')) {
      findings.push({ line: privateTwin.line, message: `${privateTwin.name}: parameters differ from the PostgreSQL twin` });
    }
  }
  return findings;
}
