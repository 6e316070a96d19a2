import type { RunControl, StopCause } from './execution.js';

function isStopCause(reason: unknown): reason is StopCause {
  return typeof reason === 'object' && reason !== null && 'kind' in reason;
}

/** The MSG of a stopped run: names the stop request, or says that the worker stopped it and why. */
export function stopMessage(reason: unknown): string {
  if (!isStopCause(reason)) return `Stopped: ${reason instanceof Error ? reason.message : String(reason ?? 'no reason given')}`;
  switch (reason.kind) {
    case 'stop-request':
      return `Stopped by stop request ${reason.stopRequestId}${reason.force ? ' (force)' : ''}`;
    case 'shutdown':
      return 'Stopped: the worker shut down and its grace period ran out';
    case 'lease-lost':
      return 'Stopped: the worker could not renew its lease on the request and stopped its own run';
  }
}

/**
 * The signal that stopped the run, the stop before the kill, or null while neither fired:
 * what AbortSignal.any([stop, kill]) reports, without making a signal for each run's checks.
 */
export function firedStop(control: RunControl): AbortSignal | null {
  if (control.stop.aborted) return control.stop;
  return control.kill.aborted ? control.kill : null;
}
