import { errorMessage } from '../errors.js';
import { retryDelayMs } from '../queue/backoff.js';
import type { Logger } from './logger.js';

export type AlertKind = 'run_failed' | 'request_failed' | 'lease_reaped' | 'misfire_skipped';

/** What happened; the alerter adds `at` (now, ISO 8601) and `worker` unless given. */
export interface AlertEvent {
  event: AlertKind;
  mapref: string;
  /** One line for a human. */
  message: string;
  requestId?: string;
  prcid?: number | null;
  [detail: string]: unknown;
}

export interface AlerterOptions {
  /** The webhook; may carry a token, so only its origin is ever logged. */
  url: string;
  log: Logger;
  /** This process's worker id, stamped on every event. */
  worker: string;
  /** One POST gives up after this long. */
  timeoutMs?: number;
  /** POSTs per event, the first included. */
  maxAttempts?: number;
  /** Events waiting beyond this many: the oldest is dropped. */
  queueSize?: number;
  /** First retry delay; doubles per attempt, ±25% jitter. */
  retryBaseMs?: number;
}

export interface AlerterStats {
  delivered: number;
  /** Gave up after their attempts, or refused by the receiver (4xx). */
  failed: number;
  /** Pushed out of a full queue, sent after close, or still queued when close() gave up. */
  dropped: number;
}

export interface Alerter {
  /** Queues the event and returns at once; never throws. */
  send(event: AlertEvent): void;
  /** Delivers what is queued for at most `deadlineMs`, then abandons the rest. */
  close(deadlineMs?: number): Promise<void>;
  stats(): AlerterStats;
}

type Attempt = { ok: true } | { ok: false; retry: boolean; why: string; retryAfterMs?: number };

/** A receiver asking for more than this (Retry-After) is not waited for longer. */
const MAX_RETRY_AFTER_MS = 60_000;

function retryAfterMs(header: string | null): number | undefined {
  const seconds = Number(header);
  return header && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
}

/** `fetch failed: ECONNREFUSED` rather than undici's bare `fetch failed`. */
function networkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${errorMessage(error)}: ${cause.code ?? cause.message}` : errorMessage(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/**
 * POSTs alert events as JSON to a webhook from a background loop, one at a time and in order,
 * so a slow or dead receiver never holds up a worker: send() only queues. Network errors,
 * timeouts, 5xx, 408 and 429 are retried with exponential backoff; other answers are final.
 */
class WebhookAlerter implements Alerter {
  readonly #opts: Required<AlerterOptions>;
  readonly #target: string;
  readonly #queue: { kind: AlertKind; body: string }[] = [];
  readonly #stats: AlerterStats = { delivered: 0, failed: 0, dropped: 0 };
  readonly #abandon = new AbortController();
  #closing = false;
  #overflowing = false;
  #wake: (() => void) | null = null;
  readonly #loop: Promise<void>;

  constructor(options: AlerterOptions) {
    this.#opts = { timeoutMs: 5000, maxAttempts: 5, queueSize: 1000, retryBaseMs: 1000, ...options };
    this.#target = new URL(options.url).origin;
    this.#loop = this.#run();
  }

  send(event: AlertEvent): void {
    try {
      if (this.#closing) {
        this.#stats.dropped += 1;
        this.#opts.log.debug({ event: event.event }, 'alert after shutdown began: dropped');
        return;
      }
      const { event: kind, ...details } = event;
      const body = JSON.stringify({ event: kind, at: new Date().toISOString(), worker: this.#opts.worker, ...details });
      if (this.#queue.length >= this.#opts.queueSize) {
        this.#queue.shift();
        this.#stats.dropped += 1;
        if (!this.#overflowing) this.#opts.log.warn({ target: this.#target, queueSize: this.#opts.queueSize }, 'alert queue full: dropping the oldest alerts');
        this.#overflowing = true;
      }
      this.#queue.push({ kind, body });
      this.#wake?.();
    } catch (error) {
      this.#opts.log.warn({ err: errorMessage(error) }, 'alert could not be queued');
    }
  }

  async close(deadlineMs = 5000): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    const timer = setTimeout(() => this.#abandon.abort(), deadlineMs);
    await this.#loop;
    clearTimeout(timer);
    if (this.#queue.length) {
      this.#stats.dropped += this.#queue.length;
      this.#opts.log.warn({ target: this.#target, undelivered: this.#queue.length }, 'alerts not delivered before shutdown');
      this.#queue.length = 0;
    }
  }

  stats(): AlerterStats {
    return { ...this.#stats };
  }

  async #run(): Promise<void> {
    while (!this.#abandon.signal.aborted) {
      const next = this.#queue.shift();
      if (next) {
        await this.#deliver(next);
        continue;
      }
      if (this.#closing) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
  }

  async #deliver(item: { kind: AlertKind; body: string }): Promise<void> {
    const { maxAttempts, retryBaseMs, log } = this.#opts;
    for (let attempt = 1; ; attempt++) {
      const result = await this.#post(item.body);
      if (result.ok) {
        this.#stats.delivered += 1;
        this.#overflowing = false;
        return;
      }
      if (this.#abandon.signal.aborted) {
        // close() ran out of time: count it with the rest of the queue.
        this.#queue.unshift(item);
        return;
      }
      if (!result.retry || attempt >= maxAttempts) {
        this.#stats.failed += 1;
        log.warn({ target: this.#target, event: item.kind, attempts: attempt, why: result.why }, 'alert not delivered: giving up');
        return;
      }
      const delay = Math.max(retryDelayMs(attempt, retryBaseMs), result.retryAfterMs ?? 0);
      log.debug({ target: this.#target, event: item.kind, attempt, why: result.why, retryInMs: delay }, 'alert not delivered: will retry');
      await sleep(delay, this.#abandon.signal);
    }
  }

  async #post(body: string): Promise<Attempt> {
    const { url, timeoutMs } = this.#opts;
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(), timeoutMs);
    const abandon = () => attempt.abort();
    this.#abandon.signal.addEventListener('abort', abandon);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'dwprc' },
        body,
        signal: attempt.signal,
        // A redirected POST would arrive as a GET without its body: treat it as an answer.
        redirect: 'manual',
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { ok: true };
      const retry = response.status >= 500 || response.status === 408 || response.status === 429;
      return { ok: false, retry, why: `HTTP ${response.status}`, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
    } catch (error) {
      const why = attempt.signal.aborted ? `no answer within ${timeoutMs} ms` : networkError(error);
      // Error texts name the host at most, but never let the path (the token) through.
      return { ok: false, retry: true, why: why.split(url).join(this.#target) };
    } finally {
      clearTimeout(timer);
      this.#abandon.signal.removeEventListener('abort', abandon);
    }
  }
}

export function createAlerter(options: AlerterOptions): Alerter {
  return new WebhookAlerter(options);
}
