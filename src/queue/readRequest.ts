import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** The query alone (exported to pin its Oracle SQL): one DWPRCREQ row by its primary key. */
export function readRequestQuery(db: Kysely<Database>, requestId: string) {
  return db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'requestType', 'status', 'attempts', 'requestedAt', 'claimedAt', 'claimedBy', 'completedAt', 'prcid', 'resultPayload', 'progress', 'stopRequested'])
    .where('requestId', '=', requestId);
}

export type RequestRow = NonNullable<Awaited<ReturnType<ReturnType<typeof readRequestQuery>['executeTakeFirst']>>>;

/** One request as stored, or undefined when no row has that id. */
export function readRequest(db: Kysely<Database>, requestId: string): Promise<RequestRow | undefined> {
  return readRequestQuery(db, requestId).executeTakeFirst();
}
