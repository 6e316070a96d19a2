/**
 * An error meant for the person at the terminal or the operator reading a queue row:
 * one line, naming the field and what is accepted. The CLI prints its message without a stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** 1 = refused input or failed operation, 2 = command-line usage. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Characters that break a line or hide text on a terminal (C0/C1 controls, DEL, U+2028/9). */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with every line-breaking or control character shown as \uXXXX: safe inside a one-line message. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A value as a one-line message quotes it: text as is, anything else as JSON, cut to `max`
 * characters and made printable. Never throws, whatever the value (a 50,000-deep array from a
 * hand-written payload overflows JSON.stringify's stack).
 */
export function quoted(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Array.isArray(value) ? '[...]' : '{...}';
  }
  // 2·max UTF-16 units hold at least max characters: a megabyte of text is not split whole.
  const head = Array.from(text.slice(0, 2 * max));
  const cut = head.length > max || text.length > 2 * max;
  return `"${printable(cut ? `${head.slice(0, max - 3).join('')}...` : text)}"`;
}
