import type { ResultPayload } from '../engine/execution.js';

/** RESULT_PAYLOAD text: the JSON object, never more than the CLOB-safe size we promise. */
export function resultJson(result: ResultPayload): string {
  return JSON.stringify(result);
}
