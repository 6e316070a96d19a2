/**
 * `dwprc retry REQUEST --resume`: generated Python flows keep their checkpoint in PARAM1 of
 * their DWPRCLOG row (`COMPLETED` once done) and read it back from param1; the tool's guide
 * promised a restart from there that its engine never did. The retried request gets param1 =
 * that checkpoint, where the payload had it (flat or under `params`).
 */

/** Null when there is nothing to resume from: no checkpoint, `COMPLETED`, or the value the request gave. */
export function resumedPayload(payload: Record<string, unknown>, checkpoint: string | null): Record<string, unknown> | null {
  const nested = typeof payload.params === 'object' && payload.params !== null && !Array.isArray(payload.params) ? (payload.params as Record<string, unknown>) : null;
  const given = (nested ?? payload).param1;
  if (checkpoint === null || checkpoint.trim() === '' || checkpoint.trim().toUpperCase() === 'COMPLETED' || checkpoint === given) return null;
  return nested ? { ...payload, params: { ...nested, param1: checkpoint } } : { ...payload, param1: checkpoint };
}
