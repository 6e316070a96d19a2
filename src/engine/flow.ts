import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../observe/logger.js';
import type { RunParams } from '../queue/request.js';

/**
 * TypeScript flows: a module in DWPRC_FLOWS_DIR exports `defineFlow({ mapref, run })`; for that
 * MAPREF it takes precedence over DWJOBFLW.DWLOGIC. The engine writes the DWPRCLOG row around
 * `run` exactly as for a DWLOGIC block: returning = PC, throwing = FL, returning or throwing
 * after `signal` fired = ST.
 */

export interface RowCounts {
  source: number;
  target: number;
  errors: number;
}

export interface FlowError {
  /** ERRMSG (≤ 400). */
  message: string;
  /** DBERRMSG (≤ 4000), e.g. the database error behind a rejected row. */
  dbMessage?: string;
  /** KEYVALUE (≤ 400): which row. */
  key?: string;
  /** ERRTYP, default `ERR`. */
  type?: 'ERR' | 'WRN' | 'INF';
}

export interface FlowContext {
  /** Kysely on the run's own session (the one that wrote its DWPRCLOG row). */
  readonly db: Kysely<Database>;
  /** PARAM1 … PARAM10 of the run (index 0 = PARAM1); null where not given. */
  readonly params: RunParams;
  /** The day being loaded, ISO `YYYY-MM-DD`: the history day, else today in the business zone. */
  readonly businessDate: string;
  /** Fires when the run should stop at its next safe point; check it between batches. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly prcid: number;
  readonly mapref: string;
  /** Adds to the run's row counts; written once, as one DWJOBLOG row, when the run ends. */
  recordCounts(counts: Partial<RowCounts>): void;
  /** Writes one DWJOBERR row now (committed on its own); an ERR also becomes the run's MSG. */
  recordError(error: FlowError): Promise<void>;
}

export interface FlowDefinition {
  mapref: string;
  run(context: FlowContext): Promise<void> | void;
}

const FLOW = Symbol.for('dwprc.flow');

export interface DefinedFlow extends FlowDefinition {
  readonly [FLOW]: true;
}

export function defineFlow(definition: FlowDefinition): DefinedFlow {
  const mapref = typeof definition?.mapref === 'string' ? definition.mapref.trim() : '';
  if (!mapref || mapref.length > 100) throw new TypeError(`defineFlow: mapref must be text of 1 to 100 characters, got ${JSON.stringify(definition?.mapref)}`);
  if (typeof definition.run !== 'function') throw new TypeError(`defineFlow: run must be a function (flow ${mapref})`);
  return Object.freeze({ mapref, run: definition.run, [FLOW]: true as const });
}

/** Recognises flows made by any copy of dwprc (the symbol is registered globally). */
export function isDefinedFlow(value: unknown): value is DefinedFlow {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FLOW] === true;
}
