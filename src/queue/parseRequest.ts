import { DateTime } from 'luxon';
import { printable, quoted } from '../errors.js';
import { requestTypeKey, unpadded } from './padding.js';
import {
  type ClaimedRow,
  type FiringSource,
  MAX_PARAM_LENGTH,
  PARAM_COUNT,
  type ParsedRequest,
  REQUEST_TYPES,
  type RequestType,
  type RunParams,
} from './request.js';

/**
 * Rows arrive from the web UI as well as from dwprc, so every field is checked here and a bad
 * row gets one line naming the field and what is accepted. Pure: no I/O.
 */
export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; reason: string };

class Invalid extends Error {}

const fail = (reason: string): never => {
  throw new Invalid(reason);
};

export function parseRequestType(raw: string | null): RequestType {
  const type = requestTypeKey(raw);
  if (!(REQUEST_TYPES as readonly string[]).includes(type)) {
    fail(`REQUEST_TYPE must be one of ${REQUEST_TYPES.join(', ')}; got ${quoted(raw ?? '')}`);
  }
  return type as RequestType;
}

export function parsePayload(raw: string | null): Record<string, unknown> {
  if (raw === null || raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    // V8 quotes part of the input in its message: line breaks and control characters included.
    return fail(`PAYLOAD must be a JSON object: ${printable((error as Error).message)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`PAYLOAD must be a JSON object, got ${quoted(raw)}`);
  return value as Record<string, unknown>;
}

function parseFlag(payload: Record<string, unknown>, field: string): boolean {
  const value = payload[field];
  if (value === undefined || value === null || value === '') return false;
  if (value === true || value === false) return value;
  if (typeof value === 'string' && /^[YN]$/i.test(value.trim())) return value.trim().toUpperCase() === 'Y';
  return fail(`${field} must be Y or N, got ${quoted(value)}`);
}

export function parseDate(field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value.trim()) || !DateTime.fromISO(value.trim()).isValid) {
    return fail(`${field} must be a date YYYY-MM-DD, got ${quoted(value)}`);
  }
  return value.trim();
}

function parseParamValue(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') return fail(`${field} must be text or a number, got ${quoted(value)}`);
  const text = String(value);
  if (text.length > MAX_PARAM_LENGTH) fail(`${field} must be at most ${MAX_PARAM_LENGTH} characters, got ${text.length}`);
  // PostgreSQL text cannot hold U+0000 at all; on Oracle it would cut the value for most readers.
  if (text.includes('\u0000')) fail(`${field} must not contain the NUL character (U+0000)`);
  return text;
}

/** Each parameter's two spellings, made once: every claimed row looks all ten up. */
const PARAM_KEYS = Array.from({ length: PARAM_COUNT }, (_, i) => [`param${i + 1}`, `PARAM${i + 1}`] as const);

/** `param1`…`param10` flat in the payload or nested under `params` (an object, or an array). */
export function parseParams(payload: Record<string, unknown>): RunParams {
  const nested = payload.params;
  if (nested !== undefined && nested !== null && typeof nested !== 'object') fail(`params must be an object or an array, got ${quoted(nested)}`);
  const source = (nested ?? {}) as Record<string, unknown> | unknown[];
  if (Array.isArray(source) && source.length > PARAM_COUNT) fail(`params must hold at most ${PARAM_COUNT} values, got ${source.length}`);
  return PARAM_KEYS.map(([key, upper], i) => {
    const value = Array.isArray(source) ? source[i] : (source[key] ?? source[upper]);
    return parseParamValue(key, value ?? payload[key] ?? payload[upper]);
  });
}

function parseMaxAttempts(payload: Record<string, unknown>): number | null {
  const value = payload.max_attempts;
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) fail(`max_attempts must be a whole number from 1 to 100, got ${quoted(value)}`);
  return n;
}

function parseFiring(payload: Record<string, unknown>): FiringSource | null {
  const source = payload.source;
  if (source !== 'schedule' && source !== 'dependency') return null;
  const jobschid = Number(payload.jobschid);
  return {
    source,
    jobschid: Number.isInteger(jobschid) ? jobschid : null,
    scheduledFor: typeof payload.scheduled_for === 'string' ? payload.scheduled_for : null,
  };
}

function optionalText(payload: Record<string, unknown>, field: string, max: number): string | null {
  const value = payload[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max) fail(`${field} must be text of at most ${max} characters, got ${quoted(value)}`);
  return (value as string).trim();
}

/** The UI names a run by the STRTDT of its DWPRCLOG row, to the second: `YYYY-MM-DD HH:MM:SS`. */
function parseStartTimestamp(payload: Record<string, unknown>): string | null {
  const value = optionalText(payload, 'start_timestamp', 40);
  if (value === null) return null;
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(value);
  if (!match || !DateTime.fromISO(`${match[1]}T${match[2]}`).isValid) fail(`start_timestamp must be a time YYYY-MM-DD HH:MM:SS, got ${quoted(value)}`);
  return `${match![1]} ${match![2]}`;
}

function parse(row: ClaimedRow): ParsedRequest {
  const type = parseRequestType(row.requestType);
  const mapref = unpadded(row.mapref);
  // Only ASCII blanks are padding (see padding.ts), but a MAPREF of any spaces alone is none.
  if (!mapref.trim()) fail('MAPREF must be provided');
  // Characters as the column counts them (an emoji is one), not UTF-16 units.
  const length = Array.from(mapref).length;
  if (length > 100) fail(`MAPREF must be at most 100 characters, got ${length}`);
  const payload = parsePayload(row.payload);
  // Put last in each literal below: a spread followed by more properties costs V8 (Node 20) ~0.5 µs a property.
  const common = { requestId: row.requestId, mapref, payload, attempts: row.attempts };
  switch (type) {
    case 'IMMEDIATE':
      return {
        type, params: parseParams(payload), truncate: parseFlag(payload, 'truncate_flag'),
        maxAttempts: parseMaxAttempts(payload), firing: parseFiring(payload), unrecordedPrcid: row.prcid, ...common,
      };
    case 'HISTORY': {
      const startDate = parseDate('start_date', payload.start_date);
      const endDate = parseDate('end_date', payload.end_date);
      if (startDate && endDate && startDate > endDate) fail(`start_date must not be after end_date (${startDate} > ${endDate})`);
      return {
        type, startDate, endDate, truncate: parseFlag(payload, 'truncate_flag'),
        maxAttempts: parseMaxAttempts(payload), firing: parseFiring(payload), ...common,
      };
    }
    case 'STOP':
      return {
        type, force: parseFlag(payload, 'force'),
        targetRequestId: optionalText(payload, 'request_id', 64),
        startTimestamp: parseStartTimestamp(payload), ...common,
      };
    case 'REPORT': {
      const sqlCode = optionalText(payload, 'sql_code', 100) ?? fail('sql_code must be provided (a DWMAPRSQL code)');
      const format = String(payload.format ?? 'CSV').trim().toUpperCase();
      if (format !== 'CSV' && format !== 'XLSX') fail(`format must be CSV or XLSX, got ${quoted(payload.format)}`);
      const params = payload.params ?? [];
      if (typeof params !== 'object' || params === null) fail(`params must be an object or an array, got ${quoted(params)}`);
      const file = optionalText(payload, 'file', 200);
      if (file && !/^[\w.-]+$/.test(file)) fail(`file must be a plain file name (letters, digits, . _ -), got ${quoted(file)}`);
      return { type, sqlCode, format: format as 'CSV' | 'XLSX', params: params as unknown[] | Record<string, unknown>, file, ...common };
    }
    case 'REFRESH_SCHEDULE':
      return { type, ...common };
  }
}

export function parseRequest(row: ClaimedRow): ParseResult {
  try {
    return { ok: true, request: parse(row) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}
