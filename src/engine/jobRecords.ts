import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import { insertJobLogStatement, type RunIdentity } from '../db/runRow.js';
import type { Database } from '../db/schema.js';
import type { RowCounts } from './flow.js';
import { clip, DBERRMSG_MAX, MSG_MAX } from './text.js';

export type { RunIdentity };

export interface JobError {
  joblogid: number;
  type: string;
  message: string;
  dbMessage: string | null;
  key: string | null;
}

/** One DWJOBERR row, as PKGDWPRC.LOG_JOB_ERROR writes it (without touching DWPRCLOG). */
export async function insertJobError(db: Kysely<Database>, dialect: Dialect, run: RunIdentity, error: JobError): Promise<void> {
  await insertJobErrorStatement(db, dialect, run, error).execute();
}

/** Exported, like the next, to pin its Oracle SQL: ERRID from DWJOBERRSEQ, the server clock. */
export function insertJobErrorStatement(db: Kysely<Database>, dialect: Dialect, run: RunIdentity, error: JobError) {
  return db
    .insertInto('dwjoberr')
    .values({
      joblogid: error.joblogid,
      errid: dialect.nextValue('dwjoberrseq'),
      prcdt: dialect.localNow(),
      jobid: run.jobid,
      mapref: run.mapref,
      errtyp: error.type,
      dberrmsg: error.dbMessage === null ? null : clip(error.dbMessage, DBERRMSG_MAX),
      errmsg: clip(error.message, MSG_MAX),
      keyvalue: error.key === null ? null : clip(error.key, MSG_MAX),
      reccrdt: dialect.localNow(),
      prcid: run.prcid,
      sessionid: run.sessionId,
    });
}

/** One DWJOBLOG row, as PKGDWPRC.CREATE_JOB_LOG writes it; JOBLOGID null = the sequence's next, in the same statement. */
export async function insertJobLog(db: Kysely<Database>, dialect: Dialect, run: RunIdentity, joblogid: number | null, counts: RowCounts): Promise<void> {
  await insertJobLogStatement(db, dialect, { run, joblogid, counts }).execute();
}
