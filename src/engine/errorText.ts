import { errorMessage } from '../errors.js';
import { scrubSecrets } from '../observe/logger.js';

/** What a failed run records: MSG/ERRMSG (the first line) and DBERRMSG (everything known). */
export interface ErrorText {
  message: string;
  detail: string;
}

interface DriverError {
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
  where?: unknown;
}

export function describeError(error: unknown): ErrorText {
  const text = scrubSecrets(errorMessage(error)).trim() || 'unknown error';
  const message = text.split('\n')[0]!;
  if (!(error instanceof Error)) return { message, detail: text };
  const e = error as Error & DriverError;
  // pg errors carry SQLSTATE and PL/pgSQL context; Oracle's message already holds the ORA- stack.
  const isPg = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
  if (isPg) {
    const parts = [`SQLSTATE ${e.code}: ${text}`];
    if (e.detail) parts.push(`DETAIL: ${e.detail}`);
    if (e.hint) parts.push(`HINT: ${e.hint}`);
    if (e.where) parts.push(`CONTEXT: ${e.where}`);
    return { message, detail: parts.join('\n') };
  }
  if (/^(ORA|PLS|NJS|DPI)-\d+/.test(text)) return { message, detail: text };
  return { message, detail: scrubSecrets(e.stack ?? text) };
}
