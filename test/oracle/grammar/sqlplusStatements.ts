/**
 * A script of sql/oracle/ cut into the statements SQL*Plus or SQLcl would send to the server,
 * each with the file line it starts on: a PL/SQL unit (DECLARE, BEGIN, CREATE PACKAGE …) runs
 * to a line holding only "/"; plain SQL ends at a ";" closing a line, or at a "/" line.
 * Also: the SQL text held in literals that a block runs with EXECUTE IMMEDIATE, so what the
 * server parses only at run time is parsed here too.
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
      pieces.push({ kind: 'string', text: text.slice(i, stop + 2), value: text.slice(open + 1, stop), valueAt: open + 1 });
      i = stop + 2;
    } else if (text[i] === "'" || (/[nN]/.test(text[i]!) && text[i + 1] === "'")) {
      const open = text.indexOf("'", i) + 1;
      let k = open;
      let value = '';
      while (k < text.length && !(text[k] === "'" && text[k + 1] !== "'")) {
        value += text[k];
        k += text[k] === "'" ? 2 : 1;
      }
      pieces.push({ kind: 'string', text: text.slice(i, k + 1), value, valueAt: open });
      i = k + 1;
    } else if (/[A-Za-z]/.test(text[i]!)) {
      const word = /^[A-Za-z][A-Za-z0-9_$#]*/.exec(text.slice(i))![0];
      pieces.push({ kind: 'word', text: word.toUpperCase() });
      i += word.length;
    } else {
      if (!/\s/.test(text[i]!)) pieces.push({ kind: 'other', text: text[i]! });
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
    const line = firstLine + (text.slice(0, piece.valueAt).match(/\n/g)?.length ?? 0);
    result.push({ text: piece.value!, line, kind: oracleKindOf(piece.value!) });
  });
  return result;
}
