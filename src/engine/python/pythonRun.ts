import type { Kysely } from 'kysely';
import type { RunIdentity } from '../../db/runRow.js';
import type { Database } from '../../db/schema.js';
import type { Logger } from '../../observe/logger.js';
import type { RunEnd } from '../closeRun.js';
import { durationText } from '../../observe/durationText.js';
import type { ExecutionContext } from '../execution.js';
import type { ResolvedFlow } from '../resolveFlow.js';
import type { RunSpec } from '../runProtocol.js';
import { stopMessage } from '../stopCause.js';
import { targetTable } from '../truncateTarget.js';
import { flowConnections } from './flowConnections.js';
import { type ChildExit, describeExit, PythonChild } from './pythonChild.js';
import { sessionParams } from './sessionParams.js';

/**
 * A Python flow's run inside the one run protocol (runProtocol.ts): the child is started and
 * opens its metadata connection first (`start`), so that the IP row, written next by openRun,
 * carries that connection's session id; then `execute` sends it the run and supervises it
 * until it ends. Until `execute`, a child that dies or is abandoned has written nothing.
 */

type PythonFlow = Extract<ResolvedFlow, { kind: 'python' }>;
export type PythonEnding = Pick<RunEnd, 'status' | 'message' | 'detail' | 'jobLog'>;

/** How long the reaper-style fencing of a killed run's session may take. */
const FENCE_TIMEOUT_MS = 5_000;

/** DWJOBLOG rows the flow wrote for its run (exported to pin its Oracle SQL). */
export function ownJobLogsQuery(db: Kysely<Database>, prcid: number) {
  return db
    .selectFrom('dwjoblog')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('prcid', '=', prcid);
}

export class PythonRun {
  private constructor(
    private readonly child: PythonChild,
    readonly sessionId: number,
    private readonly flow: PythonFlow,
  ) {}

  static async start(flow: PythonFlow, context: Pick<ExecutionContext, 'dialect' | 'config' | 'log'>): Promise<PythonRun> {
    const { python } = context.config;
    const log = context.log.child({ mapref: flow.mapref });
    const connections = await flowConnections(flow, context.dialect);
    const { child, sessionId } = await PythonChild.start({ interpreter: python.interpreter, path: python.path, connections, log });
    return new PythonRun(child, sessionId, flow);
  }

  /** The run row could not be written: the child goes, having done nothing. */
  async abandon(): Promise<void> {
    await this.child.kill();
  }

  async execute(spec: RunSpec & { businessDate: string }, run: RunIdentity & { mapref: string }, context: ExecutionContext, log: Logger): Promise<PythonEnding> {
    const { control, dialect } = context;
    const { child } = this;
    child.log = log;
    const state: { ended: { by: 'kill'; reason: unknown } | { by: 'timeout'; ms: number } | null } = { ended: null };
    const end = (why: NonNullable<typeof state.ended>) => {
      if (state.ended) return;
      state.ended = why;
      log.warn({ pid: child.pid, ...(why.by === 'timeout' ? { timeoutMs: why.ms } : {}) }, why.by === 'kill' ? 'ending the Python process group' : 'the Python flow timed out; ending its process group');
      void child.kill();
    };
    const onKill = () => end({ by: 'kill', reason: control.kill.reason });
    const timeoutMs = context.config.python.flowTimeoutMs;
    const timer = timeoutMs === null ? undefined : setTimeout(() => end({ by: 'timeout', ms: timeoutMs }), timeoutMs);
    let exit: ChildExit;
    try {
      if (control.kill.aborted) onKill();
      else control.kill.addEventListener('abort', onKill, { once: true });
      const truncate = spec.truncate ? await targetTable(run.mapref, context) : null;
      log.info({ pid: child.pid, sessionId: this.sessionId }, 'Python flow running in its child process');
      exit = await child.run({
        prcid: run.prcid,
        mapref: run.mapref,
        ...sessionParams(spec, run, this.sessionId),
        tag: dialect.pythonRunTag({ mapref: run.mapref, prcid: run.prcid }),
        code: this.flow.text,
        truncate,
      });
    } finally {
      clearTimeout(timer);
      control.kill.removeEventListener('abort', onKill);
    }
    const stopped = state.ended;
    if (stopped) {
      // Its sessions die with its sockets; one still busy in the server is ended as the reaper would.
      await dialect.endRunSession({ mapref: run.mapref, prcid: run.prcid, sessionId: this.sessionId }, FENCE_TIMEOUT_MS).catch((error: unknown) => {
        log.warn({ err: error }, "ending the killed flow's database session failed");
      });
      if (stopped.by === 'kill') return { status: 'ST', message: stopMessage(stopped.reason) };
      return { status: 'FL', message: `timed out after ${durationText(stopped.ms / 1000)} (DWPRC_FLOW_TIMEOUT); its Python process group was ended` };
    }
    return this.#ending(exit, run, context, log);
  }

  async #ending(exit: ChildExit, run: RunIdentity, context: ExecutionContext, log: Logger): Promise<PythonEnding> {
    const { result } = exit;
    if (!result) {
      const message = `the Python process ${describeExit(exit)} before execute_job returned`;
      log.warn({ code: exit.code, signal: exit.signal }, message);
      return { status: 'FL', message, detail: exit.stderrTail.join('\n') || message };
    }
    const jobLog = await this.#jobLog(result.counts, run, context);
    switch (result.status) {
      case 'PC':
        return { status: 'PC', message: null, jobLog };
      case 'FL':
        log.warn({ detail: result.detail }, 'flow failed');
        return { status: 'FL', message: result.message ?? 'failed', detail: result.detail ?? null, jobLog };
      case 'ST': {
        const { stop } = context.control;
        return { status: 'ST', message: stop.aborted ? stopMessage(stop.reason) : (result.message ?? 'Stopped: execute_job returned status STOPPED'), jobLog };
      }
    }
  }

  /** The returned counts as one DWJOBLOG row, unless the flow wrote its own for this PRCID. */
  async #jobLog(counts: NonNullable<ChildExit['result']>['counts'], run: RunIdentity, context: ExecutionContext): Promise<PythonEnding['jobLog']> {
    if (!counts || Object.keys(counts).length === 0) return null;
    const own = await ownJobLogsQuery(context.dialect.db, run.prcid).executeTakeFirstOrThrow();
    if (Number(own.n) > 0) return null;
    return { joblogid: null, counts: { source: counts.source_rows ?? 0, target: counts.target_rows ?? 0, errors: counts.error_rows ?? 0 } };
  }
}
