import type { Expression, Kysely } from 'kysely';
import { completeStatement, type FinalStatus } from '../db/requestRow.js';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { ResultPayload } from '../engine/execution.js';
import { StatementTemplates } from '../db/statementTemplates.js';
import { resultJson } from './result.js';

/**
 * Requests that must be queued in the transaction that completes this one (dependency children).
 * `pending` selects what there is to queue; when it finds nothing, the completion is one
 * statement, guarded by NOT EXISTS (pending), and `queue` is not called.
 */
export interface FollowUp {
  /** The MAPREF whose follow-ups these are: `pending`'s one value. */
  mapref: string;
  pending: (db: Kysely<Database>, mapref: string) => Expression<unknown>;
  queue: (trx: Kysely<Database>) => Promise<void>;
}

/**
 * Ends a claimed request. Guarded by CLAIMED_BY and STATUS: a worker whose lease was reaped
 * meanwhile changes nothing (fencing) and learns it from the `false` it gets back. One statement,
 * committed on its own (both pools autocommit outside a transaction), unless `followUp` has
 * something to queue: then the update and the queueing share one transaction.
 */
export async function completeRequest(
  dialect: Dialect,
  requestId: string,
  claimedBy: string,
  status: FinalStatus,
  result: ResultPayload,
  followUp?: FollowUp,
): Promise<boolean> {
  // Built once per dialect and shape (StatementTemplates); the follow-up's subquery takes the
  // parent's MAPREF as its one value.
  const complete = async (db: Kysely<Database>, unlessFor?: string) => {
    const query = templatesOf(dialect).compile(
      `complete:${status}:${unlessFor === undefined ? 'unguarded' : 'unless follow-up'}`,
      [requestId, claimedBy, resultJson(result), ...(unlessFor === undefined ? [] : [unlessFor])],
      ([id, by, payload, mapref]) =>
        // The subquery without plugins: those of the statement it goes into transform it (once).
        completeStatement(dialect.db, dialect, { requestId: id, claimedBy: by }, status, payload, mapref === undefined ? undefined : followUp!.pending(dialect.db.withoutPlugins(), mapref)).compile(),
    );
    return Number((await db.executeQuery(query)).numAffectedRows) === 1;
  };
  if (!followUp) return complete(dialect.db);
  // Nothing to queue (the common case) or the claim is gone: decided by this one statement.
  if (await complete(dialect.db, followUp.mapref)) return true;
  return dialect.db.transaction().execute(async (trx) => {
    if (!(await complete(trx))) return false;
    await followUp.queue(trx);
    return true;
  });
}

const templates = new WeakMap<Dialect, StatementTemplates>();

function templatesOf(dialect: Dialect): StatementTemplates {
  let own = templates.get(dialect);
  if (!own) templates.set(dialect, (own = new StatementTemplates()));
  return own;
}
