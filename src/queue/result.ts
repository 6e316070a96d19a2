import type { ResultPayload } from '../engine/execution.js';

/** RESULT_PAYLOAD text: the JSON object, never more than the CLOB-safe size we promise. */
export function resultJson(result: ResultPayload): string {
  return JSON.stringify(result);
}

/** RESULT_PAYLOAD's `status` and `message` for display; text that is not a JSON object is its own message. */
export function readResult(text: string | null): { status: string | null; message: string | null } {
  if (!text) return { status: null, message: null };
  try {
    const parsed = JSON.parse(text) as { status?: unknown; message?: unknown } | null;
    if (parsed && typeof parsed === 'object') {
      return { status: parsed.status == null ? null : String(parsed.status), message: parsed.message == null ? null : String(parsed.message) };
    }
  } catch {
    // Not JSON: a row written by hand or by another tool.
  }
  return { status: null, message: text.slice(0, 200) };
}
