import type { ExecuteRequest } from './execution.js';
import { runReport } from './report.js';
import { runHistory } from './runHistory.js';
import { runImmediate } from './runImmediate.js';

/**
 * The engine's entry point for a worker slot. Resolves with an Outcome for every result of the
 * flow, refusals included; rejects only with RunCloseFailed (a run row that could not be closed
 * because the database went away: leave the request CLAIMED for the reaper).
 */
export const executeRequest: ExecuteRequest = async (request, context) => {
  switch (request.type) {
    case 'IMMEDIATE':
      return runImmediate(request, context);
    case 'HISTORY':
      return runHistory(request, context);
    case 'REPORT':
      return runReport(request, context);
  }
};
