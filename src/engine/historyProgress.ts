import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RunOwner } from './closeRun.js';

/**
 * DWPRCREQ.PROGRESS of a HISTORY request: the range resolved at its first attempt (a missing
 * start or end must not move between attempts) and the last day closed PC. Days run in order and
 * a failing day stops the range, so "done" is all a resume needs.
 */
export interface HistoryProgress {
  from: string;
  to: string;
  /** The last day whose run ended PC; null = none yet. */
  done: string | null;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseProgress(text: string | null): HistoryProgress | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<HistoryProgress>;
    if (typeof value.from !== 'string' || typeof value.to !== 'string' || !ISO_DAY.test(value.from) || !ISO_DAY.test(value.to)) return null;
    const done = typeof value.done === 'string' && ISO_DAY.test(value.done) ? value.done : null;
    return { from: value.from, to: value.to, done };
  } catch {
    return null;
  }
}

export function readProgressQuery(db: Kysely<Database>, requestId: string) {
  return db.selectFrom('dwprcreq').select('progress').where('requestId', '=', requestId);
}

export async function readProgress(db: Kysely<Database>, requestId: string): Promise<HistoryProgress | null> {
  const row = await readProgressQuery(db, requestId).executeTakeFirst();
  return parseProgress(row?.progress ?? null);
}

/** Guarded like every engine write to DWPRCREQ; false when the request is no longer this worker's. */
export function writeProgressStatement(db: Kysely<Database>, owner: RunOwner, progress: HistoryProgress) {
  return db
    .updateTable('dwprcreq')
    .set({ progress: JSON.stringify(progress) })
    .where('requestId', '=', owner.requestId)
    .where('claimedBy', '=', owner.claimedBy)
    .where('status', '=', 'CLAIMED');
}

export async function writeProgress(db: Kysely<Database>, owner: RunOwner, progress: HistoryProgress): Promise<boolean> {
  const result = await writeProgressStatement(db, owner, progress).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
