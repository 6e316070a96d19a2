/**
 * A script of sql/oracle/ cut into the statements SQL*Plus or SQLcl would send to the server,
 * each with the file line it starts on: a PL/SQL unit (DECLARE, BEGIN, CREATE PACKAGE …) runs
 * to a line holding only "/"; plain SQL ends at a ";" closing a line, or at a "/" line.
 * Also: the SQL text a block runs with EXECUTE IMMEDIATE, where it is known before run time (a
 * literal, or a local procedure's concatenation of its parameters called with literals), so
 * what the server parses only at run time is parsed here too.
 */
import { oracleKindOf, type OracleTextKind } from './oracleGrammar.js';

export interface ScriptStatement {
  text: string;
  /** 1-based line of the file where `text` starts. */
  line: number;
  kind: OracleTextKind;
}

const SLASH_LINE = /^\s*\/\s*$/;
const Q_CLOSE: Record<string, string> = { '[': ']', '{': '}', '(': ')', '<': '>' };

interface Piece {
  kind: 'word' | 'string' | 'other';
  text: string;
  /** Offset in the scanned text. */
  at: number;
  /** For strings: the value, and the offset in the scanned text where the value starts. */
  value?: string;
  valueAt?: number;
}

/** Words, string literals (with their values) and other characters; comments dropped. */
function scan(text: string): Piece[] {
  const pieces: Piece[] = [];
  for (let i = 0; i < text.length; ) {
    const rest = text.slice(i, i + 3);
    if (rest.startsWith('--')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (rest.startsWith('/*')) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (/^[nN]?[qQ]'/.test(rest)) {
      const open = text.indexOf("'", i) + 1;
      const close = (Q_CLOSE[text[open]!] ?? text[open]!) + "'";
      const end = text.indexOf(close, open + 1);
      const stop = end < 0 ? text.length : end;
      pieces.push({ kind: 'string', text: text.slice(i, stop + 2), at: i, value: text.slice(open + 1, stop), valueAt: open + 1 });
      i = stop + 2;
    } else if (text[i] === "'" || (/[nN]/.test(text[i]!) && text[i + 1] === "'")) {
      const open = text.indexOf("'", i) + 1;
      let k = open;
      let value = '';
      while (k < text.length && !(text[k] === "'" && text[k + 1] !== "'")) {
        value += text[k];
        k += text[k] === "'" ? 2 : 1;
      }
      pieces.push({ kind: 'string', text: text.slice(i, k + 1), at: i, value, valueAt: open });
      i = k + 1;
    } else if (/[A-Za-z]/.test(text[i]!)) {
      const word = /^[A-Za-z][A-Za-z0-9_$#]*/.exec(text.slice(i))![0];
      pieces.push({ kind: 'word', text: word.toUpperCase(), at: i });
      i += word.length;
    } else {
      if (!/\s/.test(text[i]!)) pieces.push({ kind: 'other', text: text[i]!, at: i });
      i++;
    }
  }
  return pieces;
}

/** Whether `line` ends with a ";" that is code (not in a comment or literal), given the text before it. */
function endsWithSemicolon(before: string, line: string): boolean {
  const pieces = scan(`${before}${line}`);
  const last = pieces.at(-1);
  return last?.kind === 'other' && last.text === ';' && /;\s*(--.*)?$/.test(line);
}

const isBlankOrComment = (line: string) => /^\s*(--.*)?$/.test(line);

export function scriptStatements(script: string): ScriptStatement[] {
  const lines = script.split('\n');
  const result: ScriptStatement[] = [];
  let n = 0;
  while (n < lines.length) {
    if (isBlankOrComment(lines[n]!) || SLASH_LINE.test(lines[n]!)) {
      n++;
      continue;
    }
    const start = n;
    const kind = oracleKindOf(lines.slice(start).join('\n'));
    let body = '';
    for (; n < lines.length; n++) {
      const line = lines[n]!;
      if (SLASH_LINE.test(line)) break;
      if (kind === 'sql' && endsWithSemicolon(body, line)) {
        body += line.replace(/;\s*(--.*)?$/, '');
        break;
      }
      body += `${line}\n`;
    }
    n++;
    result.push({ text: body.trimEnd(), line: start + 1, kind });
  }
  return result;
}

/**
 * The statements a block runs with EXECUTE IMMEDIATE of one literal (not a concatenation, whose
 * text exists only at run time), each with the line of `text` where its value starts.
 */
export function dynamicStatements(text: string, firstLine = 1): ScriptStatement[] {
  const pieces = scan(text);
  const result: ScriptStatement[] = [];
  pieces.forEach((piece, k) => {
    if (piece.kind !== 'string' || pieces[k - 1]?.text !== 'IMMEDIATE' || pieces[k - 2]?.text !== 'EXECUTE') return;
    const next = pieces[k + 1];
    if (next?.text === '|') return;
    result.push({ text: piece.value!, line: lineAt(text, piece.valueAt!, firstLine), kind: oracleKindOf(piece.value!) });
  });
  return result;
}

const lineAt = (text: string, offset: number, firstLine: number) => firstLine + (text.slice(0, offset).match(/\n/g)?.length ?? 0);

/** A literal, or a parameter of the procedure being read. */
type Operand = { literal: string } | { parameter: string };

/** `a || b || …` from `k` up to INTO, USING or ";": its operands, or null when one is anything else. */
function concatenation(pieces: Piece[], k: number, parameters: ReadonlySet<string>): Operand[] | null {
  const operands: Operand[] = [];
  for (let n = k; ; n += 3) {
    const piece = pieces[n];
    if (piece?.kind === 'string') operands.push({ literal: piece.value! });
    else if (piece?.kind === 'word' && parameters.has(piece.text)) operands.push({ parameter: piece.text });
    else return null;
    const next = pieces[n + 1];
    if (next?.text === ';' || next?.text === 'INTO' || next?.text === 'USING') return operands;
    if (next?.text !== '|' || pieces[n + 2]?.text !== '|') return null;
  }
}

/** The literal arguments of a call whose "(" is at `open`, or null when one is not a literal. */
function literalArguments(pieces: Piece[], open: number): string[] | null {
  const values: string[] = [];
  for (let n = open + 1; ; n += 2) {
    if (pieces[n]?.kind !== 'string') return null;
    values.push(pieces[n]!.value!);
    if (pieces[n + 1]?.text === ')') return values;
    if (pieces[n + 1]?.text !== ',') return null;
  }
}

/**
 * The statements local procedures of a block build for EXECUTE IMMEDIATE from their parameters
 * (`create_table(p_table, p_columns)`: 'CREATE TABLE ' || p_table || ' (' || p_columns || ')'),
 * one per call with literal arguments, each with the line of the call.
 */
export function builtStatements(text: string, firstLine = 1): (ScriptStatement & { builtBy: string })[] {
  const pieces = scan(text);
  const templates = new Map<string, { parameters: string[]; statements: Operand[][] }>();
  pieces.forEach((piece, k) => {
    if (piece.text !== 'PROCEDURE' || pieces[k + 1]?.kind !== 'word' || pieces[k + 2]?.text !== '(') return;
    const name = pieces[k + 1]!.text;
    const parameters: string[] = [];
    let n = k + 3;
    for (let depth = 1; n < pieces.length && depth > 0; n++) {
      if (pieces[n]!.text === '(') depth++;
      if (pieces[n]!.text === ')') depth--;
      if (depth === 1 && (pieces[n - 1]!.text === '(' || pieces[n - 1]!.text === ',') && pieces[n]!.kind === 'word') parameters.push(pieces[n]!.text);
    }
    const statements: Operand[][] = [];
    for (; n < pieces.length && !(pieces[n]!.text === 'END' && pieces[n + 1]?.text === name); n++) {
      if (pieces[n]!.text === 'IMMEDIATE' && pieces[n - 1]?.text === 'EXECUTE') {
        const operands = concatenation(pieces, n + 1, new Set(parameters));
        if (operands?.some((o) => 'parameter' in o)) statements.push(operands);
      }
    }
    if (statements.length > 0) templates.set(name, { parameters, statements });
  });
  const result: (ScriptStatement & { builtBy: string })[] = [];
  pieces.forEach((piece, k) => {
    const template = templates.get(piece.text);
    if (!template || pieces[k - 1]?.text === 'PROCEDURE' || pieces[k + 1]?.text !== '(') return;
    const values = literalArguments(pieces, k + 1);
    if (!values || values.length !== template.parameters.length) return;
    const argument = new Map(template.parameters.map((name, i) => [name, values[i]!]));
    for (const operands of template.statements) {
      const built = operands.map((o) => ('literal' in o ? o.literal : argument.get(o.parameter)!)).join('');
      result.push({ text: built, line: lineAt(text, piece.at, firstLine), kind: oracleKindOf(built), builtBy: piece.text.toLowerCase() });
    }
  });
  return result;
}
