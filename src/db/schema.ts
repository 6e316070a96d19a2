import type { ColumnType, Generated } from 'kysely';

/**
 * The DW tables of COMPAT.md as one camelCase schema for both dialects. Table keys are the
 * default (`DW`-prefixed) names; `tableNames.ts` maps them to the configured prefix.
 * DATE and TIMESTAMP columns arrive as JS Dates carrying the stored wall-clock fields in UTC
 * (processes run with TZ=UTC), so `getUTCHours()` is the hour written in the table.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface DwjobflwTable {
  jobflwid: number;
  jobid: number | null;
  mapref: string;
  trgschm: string | null;
  trgtbtyp: string | null;
  trgtbnm: string | null;
  dwlogic: string | null;
  stflg: string | null;
  recrdt: Timestamp | null;
  recupdt: Timestamp | null;
  curflg: string | null;
}

export interface DwjobschTable {
  jobschid: number;
  jobflwid: number | null;
  mapref: string;
  frqcd: string | null;
  frqdd: string | null;
  frqhh: string | null;
  frqmi: string | null;
  strtdt: Timestamp | null;
  enddt: Timestamp | null;
  stflg: string | null;
  curflg: string | null;
  dpndJobschid: number | null;
  reccrdt: Timestamp | null;
  recupdt: Timestamp | null;
  schflg: string | null;
  /** UTC instant of the next firing (added; null = not computed yet or nothing left). */
  nxtRunDt: Timestamp | null;
  /** UTC instant of the last firing (added). */
  lstRunDt: Timestamp | null;
  /** The rule fields NXT_RUN_DT was computed from (added): a mismatch means an in-place edit. */
  nxtRunSig: string | null;
  /** UTC instant of the latest occurrence the misfire policy dropped (added, 060), for `dwprc why`. */
  lstSkipDt: Timestamp | null;
  /** How many occurrences that drop covered (added, 060). */
  lstSkipCnt: number | null;
}

export type PrclogStatus = 'IP' | 'PC' | 'FL' | 'ST';

type Params = {
  param1: string | null; param2: string | null; param3: string | null; param4: string | null;
  param5: string | null; param6: string | null; param7: string | null; param8: string | null;
  param9: string | null; param10: string | null;
};

export interface DwprclogTable extends Params {
  prcid: number;
  jobid: number | null;
  jobflwid: number | null;
  strtdt: Timestamp | null;
  enddt: Timestamp | null;
  status: PrclogStatus;
  reccrdt: Timestamp | null;
  recupdt: Timestamp | null;
  msg: string | null;
  prclog: string | null;
  sessionid: number | null;
  mapref: string | null;
}

export interface DwjoblogTable {
  joblogid: number;
  prcdt: Timestamp | null;
  jobid: number | null;
  mapref: string | null;
  srcrows: number | null;
  trgrows: number | null;
  errrows: number | null;
  reccrdt: Timestamp | null;
  prcid: number | null;
  sessionid: number | null;
}

export interface DwjoberrTable {
  joblogid: number;
  errid: number;
  prcdt: Timestamp | null;
  jobid: number | null;
  mapref: string | null;
  errtyp: string | null;
  dberrmsg: string | null;
  errmsg: string | null;
  keyvalue: string | null;
  reccrdt: Timestamp | null;
  prcid: number | null;
  sessionid: number | null;
}

export type RequestStatus = 'NEW' | 'CLAIMED' | 'DONE' | 'FAILED' | 'CANCELLED';

export interface DwprcreqTable {
  requestId: string;
  mapref: string;
  requestType: string;
  payload: string | null;
  status: Defaulted<string>;
  requestedAt: Defaulted<Date>;
  claimedAt: Timestamp | null;
  claimedBy: string | null;
  completedAt: Timestamp | null;
  resultPayload: string | null;
  attempts: Defaulted<number>;
  /** UTC; null = due now. */
  runAfter: Timestamp | null;
  /** UTC. */
  leaseExpiresAt: Timestamp | null;
  prcid: number | null;
  /** 'N' none, 'G' graceful stop asked, 'F' forced stop asked. */
  stopRequested: Defaulted<string>;
  /** The STOP request that asked for it. */
  stopRequestId: string | null;
  /** HISTORY progress (JSON, see src/engine/historyProgress.ts); null = none yet. */
  progress: string | null;
}

export interface DwjobTable {
  jobid: number;
  mapref: string;
  trgschm: string | null;
  trgtbnm: string | null;
  stflg: string | null;
  curflg: string | null;
  /** The DWDBCONDTLS connection a Python flow loads into; null = the DW database. */
  trgconid: number | null;
}

/** Connections of the later tool, for Python flows' source and target (read only). */
export interface DwdbcondtlsTable {
  conid: number;
  connm: string | null;
  dbhost: string | null;
  dbport: string | null;
  dbsrvnm: string | null;
  usrnm: string | null;
  schnm: string | null;
  /** Never logged. */
  passwd: string | null;
  /** A connection string; wins over host, port and service when set. */
  constr: string | null;
  /** ORACLE (also when empty), POSTGRESQL/POSTGRES; others are refused. */
  dbtyp: string | null;
  curflg: string | null;
}

/** A job's detail rows (read only): the first current one's MAPRSQLCD names its source SQL. */
export interface DwjobdtlTable {
  jobdtlid: number;
  mapref: string;
  maprsqlcd: string | null;
  curflg: string | null;
}

export interface DwparamsTable {
  prtyp: string;
  prcd: string;
  prdesc: string | null;
  prval: string | null;
  prreccrdt: Timestamp | null;
  prrecupdt: Timestamp | null;
}

export interface DwmaprTable {
  mapref: string;
  trgschm: string | null;
  trgtbnm: string | null;
  curflg: string | null;
}

export interface DwmaprsqlTable {
  dwmaprsqlid: number;
  dwmaprsqlcd: string;
  dwmaprsql: string | null;
  curflg: string | null;
  /** The DWDBCONDTLS connection the SQL reads from (a Python flow's source). */
  sqlconid: number | null;
}

/** Live workers (UTC heartbeats), for status and doctor; never needed for correctness. */
export interface DwprcwrkTable {
  workerId: string;
  host: string | null;
  pid: number | null;
  version: string | null;
  concurrency: number | null;
  running: Defaulted<number>;
  startedAt: Timestamp | null;
  heartbeatAt: Timestamp | null;
}

/** dwprc's own bookkeeping: which numbered migration files have been applied. */
export interface DwprcverTable {
  version: number;
  name: string;
  appliedAt: Generated<Date>;
}

export interface Database {
  dwjobflw: DwjobflwTable;
  dwjobsch: DwjobschTable;
  dwprclog: DwprclogTable;
  dwjoblog: DwjoblogTable;
  dwjoberr: DwjoberrTable;
  dwprcreq: DwprcreqTable;
  dwjob: DwjobTable;
  dwparams: DwparamsTable;
  dwmapr: DwmaprTable;
  dwmaprsql: DwmaprsqlTable;
  dwprcver: DwprcverTable;
  dwprcwrk: DwprcwrkTable;
  dwdbcondtls: DwdbcondtlsTable;
  dwjobdtl: DwjobdtlTable;
}

/** Every table and sequence dwprc knows, by default name; the prefix mapping works on these. */
export const TABLES = Object.freeze([
  'dwjobflw', 'dwjobsch', 'dwprclog', 'dwjoblog', 'dwjoberr', 'dwprcreq',
  'dwjob', 'dwparams', 'dwmapr', 'dwmaprsql', 'dwprcver', 'dwprcwrk', 'dwdbcondtls', 'dwjobdtl',
] as const satisfies readonly (keyof Database)[]);

export const SEQUENCES = Object.freeze(['dwjobschseq', 'dwprclogseq', 'dwjoblogseq', 'dwjoberrseq'] as const);
export type SequenceName = (typeof SEQUENCES)[number];
