import type { RunParams } from '../queue/request.js';
import { clip, PRCLOG_MAX } from './text.js';

/**
 * DWPRCLOG.PRCLOG as the PL/SQL package wrote it: `Parameters used: DWT_PARAM1=<v> , DWT_PARAM3=<v>`
 * for the parameters given (the names the generated blocks use for them).
 */
export function parametersUsed(params: RunParams): string {
  const given = params.flatMap((value, i) => (value === null ? [] : [`DWT_PARAM${i + 1}=${value}`]));
  return clip(`Parameters used: ${given.length ? given.join(' , ') : 'none'}`, PRCLOG_MAX);
}
