import { errorMessage, UserError } from '../errors.js';
import { scrubSecrets } from '../observe/logger.js';
import type { Outcome } from './execution.js';
import { stopMessage } from './stopCause.js';

/**
 * Outcomes of requests that never wrote a DWPRCLOG row. A UserError is a refusal that trying
 * again cannot fix (no flow, Python DWLOGIC, bad target); anything else (the database went away)
 * is left to the worker's retry policy.
 */
export function notStarted(mapref: string, error: unknown): Outcome {
  const refused = error instanceof UserError;
  const message = scrubSecrets(errorMessage(error)).split('\n')[0]!;
  return {
    status: 'FAILED',
    started: false,
    result: { status: 'FAILED', message: refused ? message : `${mapref} could not start: ${message}` },
    ...(refused ? { retryable: false } : {}),
  };
}

/** A stop that arrived before anything was written: nothing ran. */
export function stoppedBeforeStart(mapref: string, reason: unknown): Outcome {
  return { status: 'CANCELLED', started: false, result: { status: 'CANCELLED', message: `${mapref} not started: ${stopMessage(reason)}` } };
}
