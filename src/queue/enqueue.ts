import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import { UserError } from '../errors.js';
import { parseRequest } from './parseRequest.js';
import type { ParsedRequest, RequestType } from './request.js';

export interface EnqueueInput {
  type: RequestType;
  mapref: string;
  payload?: Record<string, unknown>;
  /** Defaults to a UUID, as the web UI writes. */
  requestId?: string;
}

/** Does MAPREF have something to run? Injected so the engine's flow registry can answer too. */
export type FlowExists = (mapref: string) => Promise<boolean>;

/** The current active DWJOBFLW row of a MAPREF (exported, like the insert below, to pin its Oracle SQL). */
export function activeFlowQuery(dialect: Dialect, mapref: string) {
  return dialect.db.selectFrom('dwjobflw').select('jobflwid').where('mapref', '=', mapref).where('curflg', '=', 'Y').where('stflg', '=', 'A');
}

export function activeDwlogicExists(dialect: Dialect): FlowExists {
  return async (mapref) => (await activeFlowQuery(dialect, mapref).executeTakeFirst()) !== undefined;
}

/** One NEW request, stamped by the server clock; also the insert of schedule firings and dependent runs. */
export function insertRequestStatement(db: Kysely<Database>, dialect: Dialect, row: { requestId: string; mapref: string; requestType: string; payload: string }) {
  return db.insertInto('dwprcreq').values({ ...row, status: 'NEW', requestedAt: dialect.localNow() });
}

/** Which of `ids` exist already (deterministic firing ids: a second insert would collide). */
export function existingRequestsQuery(db: Kysely<Database>, ids: readonly string[]) {
  return db.selectFrom('dwprcreq').select('requestId').where('requestId', 'in', [...ids]);
}

export async function existingRequestIds(db: Kysely<Database>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  return new Set((await existingRequestsQuery(db, ids).execute()).map((r) => r.requestId));
}

/**
 * Queues one request, validated by the same parser the worker applies to rows the UI writes,
 * so anything `dwprc run` accepts the worker accepts too.
 */
export async function enqueue(dialect: Dialect, input: EnqueueInput, flowExists: FlowExists = activeDwlogicExists(dialect)): Promise<ParsedRequest> {
  const requestId = input.requestId ?? randomUUID();
  const payload = JSON.stringify(input.payload ?? {});
  const parsed = parseRequest({ requestId, mapref: input.mapref, requestType: input.type, payload, attempts: 0, prcid: null, stopRequested: 'N' });
  if (!parsed.ok) throw new UserError(parsed.reason);
  const request = parsed.request;
  if ((request.type === 'IMMEDIATE' || request.type === 'HISTORY') && !(await flowExists(request.mapref))) {
    throw new UserError(`No active job flow found for ${request.mapref}`);
  }
  await insertRequestStatement(dialect.db, dialect, { requestId, mapref: request.mapref, requestType: request.type, payload }).execute();
  return request;
}
