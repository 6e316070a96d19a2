import type { Command } from 'commander';
import { parseDuration } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { printable } from '../errors.js';
import { durationText } from '../observe/durationText.js';
import { followRequest, type FinalStatus, type RequestSnapshot } from '../observe/followRequest.js';
import { withDatabase } from './context.js';

/** `dwprc wait`'s exit codes: the outcome of the request, or 4 when --timeout passed first. */
export const WAIT_EXIT: Readonly<Record<FinalStatus | 'TIMEOUT' | 'INTERRUPTED', number>> = {
  DONE: 0, FAILED: 1, CANCELLED: 3, TIMEOUT: 4, INTERRUPTED: 130,
};

export interface WaitOptions {
  timeout?: string;
  json?: boolean;
}

const seconds = (from: Date | null, to: Date) => (from ? Math.max(0, (to.getTime() - from.getTime()) / 1000) : null);
const clock = (date: Date) => date.toISOString().slice(11, 19);

function bar(k: number, n: number, width = 20): string {
  const filled = Math.round(((k - 1) / n) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/**
 * One line on where a request stands, `nowLocal` being the database's local clock (run times
 * are stored in it): state, elapsed, expected finish from past runs, a HISTORY's day k of n.
 */
export function statusLine(s: RequestSnapshot, nowLocal: Date): string {
  const head = `${s.requestId} ${s.requestType} ${s.mapref}`;
  if (s.status === 'NEW') return `${head} NEW: queued${s.attempts > 0 ? ` (attempt ${s.attempts} failed; retrying)` : ''}`;
  if (s.status !== 'CLAIMED') {
    const took = seconds(s.claimedAt ?? s.requestedAt, s.completedAt ?? nowLocal);
    return `${head} ${s.status}${took === null ? '' : ` after ${durationText(took)}`}${s.result.message ? `: ${printable(s.result.message)}` : ''}`;
  }
  const parts = [`${head} RUNNING on ${s.claimedBy ?? '?'}`];
  if (s.prcid !== null) parts.push(`PRCID ${s.prcid}`);
  if (s.history) parts.push(`day ${s.history.k} of ${s.history.n} (${s.history.day}) ${bar(s.history.k, s.history.n)}`);
  const elapsed = seconds(s.startedAt ?? s.claimedAt, nowLocal);
  if (elapsed !== null) parts.push(`${durationText(elapsed)} elapsed`);
  if (s.expectedSeconds !== null && (s.startedAt ?? s.claimedAt)) {
    const finish = new Date((s.startedAt ?? s.claimedAt)!.getTime() + s.expectedSeconds * 1000);
    parts.push(`expected ~${durationText(s.expectedSeconds)}, done ~${clock(finish)}${finish < nowLocal ? ' (late)' : ''}`);
  }
  if (s.stopRequested !== 'N') parts.push(s.stopRequested === 'F' ? 'forced stop asked' : 'stop asked');
  return parts.join(', ');
}

/** What a request's record looks like in `--json`: the snapshot as read, plus how the wait ended. */
function record(s: RequestSnapshot | null, outcome: string) {
  return { ...s, waited: outcome };
}

interface Output {
  change(s: RequestSnapshot): void;
  done(): void;
}

/**
 * On a terminal one line rewritten in place (ticking every second); otherwise one line per change,
 * for logs and CI; nothing but the final record with --json.
 */
function output(json: boolean, clockOffsetMs: number): Output {
  if (json) return { change: () => undefined, done: () => undefined };
  const now = () => new Date(Date.now() + clockOffsetMs);
  if (!process.stdout.isTTY) return { change: (s) => process.stdout.write(`${statusLine(s, now())}\n`), done: () => undefined };
  let last: RequestSnapshot | null = null;
  let finished = false;
  const draw = () => last && process.stdout.write(`\r\x1b[2K${statusLine(last, now()).slice(0, (process.stdout.columns || 120) - 1)}`);
  const ticker = setInterval(draw, 1000);
  return {
    change(s) {
      last = s;
      draw();
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(ticker);
      if (last) process.stdout.write(`\r\x1b[2K${statusLine(last, now())}\n`);
    },
  };
}

/**
 * Waits for a request to end and returns the exit code; Ctrl-C and --timeout end the wait only.
 * A STOP is followed to the end of the run it stopped (its outcome is then the exit code's reason
 * to be 0: the run has ended).
 */
export async function waitForRequest(dialect: Dialect, requestId: string, options: WaitOptions): Promise<number> {
  const timeoutMs = options.timeout === undefined ? null : parseDuration('--timeout', options.timeout);
  const abort = new AbortController();
  let why: 'TIMEOUT' | 'INTERRUPTED' | null = null;
  const stop = (reason: 'TIMEOUT' | 'INTERRUPTED') => {
    why ??= reason;
    abort.abort();
  };
  const timer = timeoutMs === null ? null : setTimeout(() => stop('TIMEOUT'), timeoutMs);
  const onSigint = () => stop('INTERRUPTED');
  process.on('SIGINT', onSigint);
  const offset = (await dialect.selectValue(dialect.localNow())).getTime() - Date.now();
  const out = output(options.json ?? false, offset);
  // Written by the callback, so a holder: a `let` would stay narrowed to null after the awaits.
  const seen: { last: RequestSnapshot | null } = { last: null };
  const follow = (id: string) => followRequest(dialect, id, { signal: abort.signal, onChange: (s) => out.change((seen.last = s)) });
  try {
    let final = await follow(requestId);
    const target = (final?.resultPayload as { target?: unknown } | null)?.target;
    if (final?.requestType === 'STOP' && final.status === 'DONE' && typeof target === 'string') {
      const stopped = await follow(target);
      final = stopped && { ...final, result: { status: stopped.status, message: `${target} ${stopped.status}: ${stopped.result.message ?? ''}` } };
    }
    out.done();
    if (final) {
      if (options.json) process.stdout.write(`${JSON.stringify(record(final, final.status), null, 2)}\n`);
      return WAIT_EXIT[final.status as FinalStatus];
    }
    const { last } = seen;
    const state = last ? `${last.requestId} is still ${last.status}` : `${requestId} not read yet`;
    const cause = why === 'TIMEOUT' ? `--timeout ${options.timeout} passed` : 'interrupted';
    process.stderr.write(`dwprc: ${cause}: ${state}; it keeps running (dwprc wait ${last?.requestId ?? requestId} follows it again)\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(record(last, why ?? 'INTERRUPTED'), null, 2)}\n`);
    return WAIT_EXIT[why ?? 'INTERRUPTED'];
  } finally {
    out.done();
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSigint);
  }
}

/** `--wait` and `--timeout` on the commands that queue (run, history, stop). */
export function addWaitOptions(command: Command): Command {
  return command
    .option('--wait', 'wait until the request ends; exit 0 DONE, 1 FAILED, 3 CANCELLED, 4 --timeout passed')
    .option('--timeout <duration>', 'with --wait: stop waiting after this long, e.g. 30m (the request keeps running)');
}

export function registerWait(program: Command): void {
  program
    .command('wait <requestId>')
    .description('wait for a queued or running request to end: live status, exit 0 DONE, 1 FAILED, 3 CANCELLED, 4 timeout')
    .option('--timeout <duration>', 'stop waiting after this long, e.g. 30m (the request keeps running)')
    .option('--json', 'print the final request as JSON')
    .action(async (requestId: string, options: WaitOptions) => {
      process.exitCode = await withDatabase(({ connection }) => waitForRequest(connection.dialect, requestId.trim(), options));
    });
}
