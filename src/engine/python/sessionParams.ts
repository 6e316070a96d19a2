import type { RunIdentity } from '../../db/runRow.js';
import type { RunSpec } from '../runProtocol.js';

/**
 * execute_job's session_params, as the tool built them: prcid, sessionid (the metadata
 * connection's, which is the IP row's SESSIONID), mapref, param1…param10 where given; and
 * request_params, the request's own parameters (the payload's `params`, or the payload itself)
 * with this run's PARAMn over them (a history day's PARAM1).
 */
export function sessionParams(spec: Pick<RunSpec, 'request' | 'params'>, run: Pick<RunIdentity, 'prcid'> & { mapref: string }, sessionId: number) {
  const given: Record<string, string> = {};
  spec.params.forEach((value, i) => {
    if (value !== null) given[`param${i + 1}`] = value;
  });
  const payload = spec.request.payload;
  const nested = payload.params;
  const asked = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? (nested as Record<string, unknown>) : payload;
  return {
    params: { prcid: run.prcid, sessionid: sessionId, mapref: run.mapref, ...given },
    requestParams: { ...asked, ...given },
  };
}
