import type { Kysely } from 'kysely';
import type { Dialect, RunSession } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../observe/logger.js';
import type { RunParams } from '../queue/request.js';
import type { FlowContext, FlowError, RowCounts } from './flow.js';
import { insertJobError, type RunIdentity } from './jobRecords.js';
import { clip, MSG_MAX } from './text.js';

export interface FlowRunRecord {
  /** Set once recordCounts was called: the DWJOBLOG row written at the end. */
  counts: RowCounts | null;
  /** The DWJOBLOG id the DWJOBERR rows already point at, if any were written. */
  joblogid: number | null;
}

const ERROR_TYPES = new Set(['ERR', 'WRN', 'INF']);

function count(field: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`recordCounts: ${field} must be a whole number ≥ 0, got ${value}`);
  return value;
}

/** MSG of a running row shows its last error (exported to pin its Oracle SQL). */
export function lastErrorStatement(db: Kysely<Database>, dialect: Dialect, prcid: number, message: string) {
  return db.updateTable('dwprclog').set({ msg: clip(message, MSG_MAX), recupdt: dialect.localNow() }).where('prcid', '=', prcid).where('status', '=', 'IP');
}

/**
 * The context a TypeScript flow runs with. Errors are written at once through the pool, each in
 * its own transaction (like an autonomous transaction), so a rollback of the flow's own work
 * cannot erase them; counts are kept and written by the close.
 */
export function createFlowContext(args: {
  session: RunSession;
  dialect: Dialect;
  run: RunIdentity & { mapref: string };
  params: RunParams;
  businessDate: string;
  /** Made when the flow first reads ctx.signal: most no-op-sized flows never do, and AbortSignal.any is not free. */
  signal: () => AbortSignal;
  log: Logger;
}): { context: FlowContext; record: FlowRunRecord } {
  const { dialect, run } = args;
  let signal: AbortSignal | null = null;
  const record: FlowRunRecord = { counts: null, joblogid: null };
  let joblogid: Promise<number> | null = null;
  const allocateJoblogid = () => {
    joblogid ??= dialect.selectValue(dialect.nextValue('dwjoblogseq')).then((id) => (record.joblogid = Number(id)));
    return joblogid;
  };

  const context: FlowContext = {
    db: args.session.db,
    params: args.params,
    businessDate: args.businessDate,
    get signal() {
      return (signal ??= args.signal());
    },
    log: args.log,
    prcid: run.prcid,
    mapref: run.mapref,
    recordCounts(counts) {
      const previous = record.counts ?? { source: 0, target: 0, errors: 0 };
      record.counts = {
        source: previous.source + count('source', counts.source),
        target: previous.target + count('target', counts.target),
        errors: previous.errors + count('errors', counts.errors),
      };
    },
    async recordError(error: FlowError) {
      const type = error.type ?? 'ERR';
      if (!ERROR_TYPES.has(type)) throw new TypeError(`recordError: type must be ERR, WRN or INF, got ${JSON.stringify(error.type)}`);
      if (typeof error.message !== 'string' || error.message === '') throw new TypeError('recordError: message must be non-empty text');
      const id = await allocateJoblogid();
      await dialect.db.transaction().execute(async (trx) => {
        await insertJobError(trx, dialect, run, { joblogid: id, type, message: error.message, dbMessage: error.dbMessage ?? null, key: error.key ?? null });
        if (type === 'ERR') {
          // As with LOG_JOB_ERROR: the run's MSG shows the last error, also when it ends PC.
          await lastErrorStatement(trx, dialect, run.prcid, error.message).execute();
        }
      });
    },
  };
  return { context, record };
}
