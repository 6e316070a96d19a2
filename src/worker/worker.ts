import pLimit from 'p-limit';
import type { Config } from '../config.js';
import type { Dialect, WakeChannel } from '../db/dialects/dialect.js';
import type { ExecuteRequest, StopCause } from '../engine/execution.js';
import type { FlowRegistry } from '../engine/loadFlows.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import { leaseReapedAlert, requestFailedAlert } from '../observe/alertEvents.js';
import type { Alerter } from '../observe/alerts.js';
import type { Metrics } from '../observe/metrics.js';
import { readStopMarks } from '../queue/readStopMarks.js';
import { reapExpiredLeases } from '../queue/reapExpiredLeases.js';
import { renewLeases } from '../queue/renewLeases.js';
import type { ClaimedRow } from '../queue/request.js';
import { claimGatherMs } from './claimGather.js';
import { lostLeases } from './lostLeases.js';
import { type Disposition, processRequest, type SlotDeps } from './processRequest.js';
import { deregisterWorker, forgetDeadWorkers, heartbeatWorker, registerWorker } from './registry.js';
import { jitter, nextWaitMs, WakeSignal } from './wakeSignal.js';

export interface WorkerOptions {
  dialect: Dialect;
  config: Config;
  log: Logger;
  execute: ExecuteRequest;
  /** TypeScript flows loaded at start-up (DWPRC_FLOWS_DIR). */
  flows?: FlowRegistry;
  workerId: string;
  version: string;
  /** Extra periodic duties (the scheduler tick), run by every replica. */
  services?: readonly PeriodicService[];
  /** Called after every request this worker finishes (tests). */
  onSettled?: (row: ClaimedRow, disposition: Disposition) => void;
  metrics?: Metrics;
  alerter?: Alerter | null;
}

export interface PeriodicService {
  name: string;
  intervalMs: number;
  /** Resolves to the ms until it is needed again when that may be sooner than its interval (see nextWaitMs). */
  run(): Promise<number | null | void>;
}

interface InFlight {
  row: ClaimedRow;
  stop: AbortController;
  kill: AbortController;
  /** Its run is over and its final write sent (SlotControl.settling; see lostLeases). */
  settling: boolean;
}

const MAX_OUTAGE_BACKOFF_MS = 30_000;
const STOP_CHECK_MS = 1000;

/**
 * One replica: claims as many requests as it has free slots, runs them, renews their leases,
 * watches for STOP marks, reaps leases other replicas lost and runs the periodic services.
 * No leader: every replica does all of it, the database arbitrates.
 */
export class Worker {
  readonly id: string;
  #opts: WorkerOptions;
  #log: Logger;
  /** What every slot's processRequest gets: the same for each request, so made once. */
  #slotDeps: SlotDeps;
  #limit: ReturnType<typeof pLimit>;
  #inFlight = new Map<string, InFlight>();
  #claimWake = new WakeSignal();
  #stopWake = new WakeSignal();
  #running = false;
  #loops: Promise<void>[] = [];
  #listener: { close(): Promise<void> } | null = null;
  #lastRenewOk = Date.now();
  #ready = false;
  #idle = new Set<() => void>();
  /** Every sleeping duty, so that shutdown can wake them all at once. */
  #sleeps = new Set<WakeSignal>();

  constructor(options: WorkerOptions) {
    this.#opts = options;
    this.id = options.workerId;
    this.#log = options.log.child({ worker: options.workerId });
    this.#slotDeps = { ...options, workerId: this.id, log: this.#log };
    this.#limit = pLimit(options.config.worker.concurrency);
  }

  /** Database reachable at the last attempt: what /readyz reports. */
  get ready(): boolean {
    return this.#ready;
  }

  get running(): number {
    return this.#inFlight.size;
  }

  async start(): Promise<void> {
    const { dialect, config, version } = this.#opts;
    this.#running = true;
    await this.#retrying('register', () => registerWorker(dialect, this.id, config.worker.concurrency, version));
    this.#listener = await dialect.listen((channel) => this.#onWake(channel));
    const lease = config.worker.leaseMs;
    this.#loops = [
      this.#claimLoop(),
      this.#every('heartbeat', lease / 3, () => this.#heartbeat()),
      this.#every('stop check', Math.min(STOP_CHECK_MS, lease / 3), () => this.#checkStops(), this.#stopWake),
      this.#every('reaper', lease / 2, () => this.#reap()),
      ...(this.#opts.services ?? []).map((s) => this.#every(s.name, s.intervalMs, () => s.run())),
    ];
    this.#log.info({ concurrency: config.worker.concurrency, leaseMs: lease, pollMs: config.worker.pollMs }, 'worker started');
  }

  /**
   * Stops claiming, lets running requests finish for `graceMs`, then stops them (they end ST
   * and their requests go back to NEW) and returns once every slot is empty.
   */
  async shutdown(graceMs = this.#opts.config.worker.shutdownGraceMs): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#claimWake.wake();
    for (const sleep of this.#sleeps) sleep.wake();
    this.#log.info({ running: this.#inFlight.size, graceMs }, 'shutting down: no new claims');
    const drained = this.#whenIdle();
    const timer = setTimeout(() => this.kill({ kind: 'shutdown' }), graceMs);
    await drained;
    clearTimeout(timer);
    await Promise.all(this.#loops);
    await this.#listener?.close();
    await deregisterWorker(this.#opts.dialect, this.id).catch(() => undefined);
    this.#log.info('worker stopped');
  }

  /** Stops every running request now (a second signal, lease loss). */
  kill(cause: StopCause): void {
    for (const run of this.#inFlight.values()) {
      if (!run.stop.signal.aborted) run.stop.abort(cause);
      if (!run.kill.signal.aborted) run.kill.abort(cause);
    }
  }

  #whenIdle(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  #onWake(channel: WakeChannel): void {
    if (channel !== 'stop') this.#claimWake.wake();
    if (channel !== 'request') this.#stopWake.wake();
  }

  async #claimLoop(): Promise<void> {
    const { dialect, config } = this.#opts;
    let failures = 0;
    // The last claim filled every slot it asked for, and when the first slot since it freed up.
    let backlog = false;
    let freedAt: number | null = null;
    while (this.#running) {
      const free = config.worker.concurrency - this.#inFlight.size;
      if (free <= 0) {
        await this.#claimWake.wait(jitter(config.worker.pollMs));
        continue;
      }
      freedAt ??= performance.now();
      const gather = claimGatherMs(free, config.worker.concurrency, backlog, performance.now() - freedAt);
      if (gather > 0) {
        await this.#claimWake.wait(gather);
        continue;
      }
      freedAt = null;
      let claimed: ClaimedRow[];
      try {
        claimed = await dialect.claimRequests(this.id, free, config.worker.leaseMs);
        this.#markReachable(failures);
        failures = 0;
        for (const row of claimed) this.#opts.metrics?.claimed(row.requestType);
      } catch (error) {
        const kind = dialect.classifyError(error);
        this.#opts.metrics?.dbError(kind);
        if (kind === 'conflict') continue;
        failures += 1;
        this.#markUnreachable(error, failures, kind);
        await this.#claimWake.wait(this.#outageDelay(failures));
        continue;
      }
      for (const row of claimed) this.#dispatch(row);
      backlog = claimed.length === free;
      // A full batch means more may be waiting: claim again at once.
      if (!backlog) await this.#claimWake.wait(jitter(config.worker.pollMs));
    }
  }

  #dispatch(row: ClaimedRow): void {
    const run: InFlight = { row, stop: new AbortController(), kill: new AbortController(), settling: false };
    this.#inFlight.set(row.requestId, run);
    this.#countSlots();
    const startedAt = performance.now();
    const control = { stop: run.stop.signal, kill: run.kill.signal, settling: () => (run.settling = true) };
    void this.#limit(() => processRequest(row, control, this.#slotDeps))
      .then((disposition) => {
        this.#log.debug({ requestId: row.requestId, disposition }, 'request settled');
        this.#opts.metrics?.finished(row.requestType, disposition, (performance.now() - startedAt) / 1000, row.mapref ?? '');
        if (disposition === 'FAILED') this.#opts.alerter?.send(requestFailedAlert(row));
        this.#opts.onSettled?.(row, disposition);
      })
      // processRequest never rejects by design; if a bug made it, this replica must stay up:
      // the row's lease lapses and a reaper takes it back.
      .catch((error: unknown) => this.#log.error({ requestId: row.requestId, err: errorMessage(error) }, 'request slot failed unexpectedly'))
      .finally(() => {
        this.#inFlight.delete(row.requestId);
        this.#countSlots();
        this.#claimWake.wake();
        if (this.#inFlight.size === 0) {
          for (const resolve of this.#idle) resolve();
          this.#idle.clear();
        }
      });
  }

  /** Renews leases; a worker that cannot renew stops its runs before the lease lapses (fencing). */
  async #heartbeat(): Promise<void> {
    const { dialect, config } = this.#opts;
    const ids = [...this.#inFlight.keys()];
    try {
      const held = await renewLeases(dialect, this.id, ids, config.worker.leaseMs);
      this.#lastRenewOk = Date.now();
      for (const [id, run] of lostLeases(ids, held, this.#inFlight)) {
        this.#log.warn({ requestId: id }, 'lease lost (reaped or finished elsewhere): stopping its run');
        run.stop.abort({ kind: 'lease-lost' });
        run.kill.abort({ kind: 'lease-lost' });
      }
      await heartbeatWorker(dialect, this.id, this.#inFlight.size);
    } catch (error) {
      // Two heartbeats missed: stop the runs while a third of the lease is left, so the reaper
      // never finds a run still writing.
      if (ids.length > 0 && Date.now() - this.#lastRenewOk >= config.worker.leaseMs / 2) {
        this.#log.error({ err: errorMessage(error), running: ids.length }, 'cannot renew leases: stopping runs before they expire');
        this.kill({ kind: 'lease-lost' });
      }
      throw error;
    }
  }

  #countSlots(): void {
    const busy = this.#inFlight.size;
    this.#opts.metrics?.slots(busy, this.#opts.config.worker.concurrency - busy);
  }

  async #checkStops(): Promise<void> {
    const ids = [...this.#inFlight.keys()];
    for (const mark of await readStopMarks(this.#opts.dialect, this.id, ids)) {
      const run = this.#inFlight.get(mark.requestId);
      if (!run) continue;
      const cause: StopCause = { kind: 'stop-request', force: mark.force, stopRequestId: mark.stopRequestId ?? '' };
      if (!run.stop.signal.aborted) {
        this.#log.info({ requestId: mark.requestId, force: mark.force, stopRequestId: mark.stopRequestId }, 'stop requested');
        run.stop.abort(cause);
      }
      if (mark.force && !run.kill.signal.aborted) run.kill.abort(cause);
    }
  }

  async #reap(): Promise<void> {
    const { dialect, config } = this.#opts;
    const reaped = await reapExpiredLeases(dialect, config.worker, (r) => {
      this.#log.warn({ ...r }, 'reaped an expired lease');
      this.#opts.alerter?.send(leaseReapedAlert(r));
    });
    this.#opts.metrics?.reaped(reaped.length);
    await forgetDeadWorkers(dialect, config.worker.leaseMs * 10);
  }

  /** Runs `fn` every `intervalMs` (jittered), or sooner when it asks, until shutdown; errors are logged, never fatal. */
  async #every(name: string, intervalMs: number, fn: () => Promise<number | null | void>, wake = new WakeSignal()): Promise<void> {
    this.#sleeps.add(wake);
    let failures = 0;
    let neededIn: number | null = null;
    while (this.#running) {
      await wake.wait(failures ? this.#outageDelay(failures) : nextWaitMs(intervalMs, neededIn));
      if (!this.#running) break;
      try {
        neededIn = (await fn()) ?? null;
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#opts.metrics?.dbError(this.#opts.dialect.classifyError(error));
        this.#log[failures === 1 ? 'warn' : 'debug']({ err: errorMessage(error), duty: name }, `${name} failed`);
      }
    }
  }

  async #retrying(name: string, fn: () => Promise<void>): Promise<void> {
    for (let failures = 1; ; failures++) {
      try {
        await fn();
        this.#markReachable(failures - 1);
        return;
      } catch (error) {
        const kind = this.#opts.dialect.classifyError(error);
        this.#opts.metrics?.dbError(kind);
        if (kind === 'fatal') throw error;
        this.#markUnreachable(error, failures, kind);
        await new Promise((r) => setTimeout(r, this.#outageDelay(failures)));
      }
    }
  }

  #outageDelay(failures: number): number {
    return jitter(Math.min(MAX_OUTAGE_BACKOFF_MS, 250 * 2 ** Math.min(failures - 1, 10)));
  }

  #markReachable(previousFailures: number): void {
    if (!this.#ready || previousFailures > 0) this.#log.info('database reachable');
    this.#ready = true;
  }

  #markUnreachable(error: unknown, failures: number, kind: string): void {
    this.#ready = false;
    const level = failures === 1 ? 'warn' : 'debug';
    this.#log[level]({ err: errorMessage(error), kind, failures }, 'database call failed; backing off');
  }
}
