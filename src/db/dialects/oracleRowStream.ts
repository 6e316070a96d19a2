import oracledb from 'oracledb';
import { UserError } from '../../errors.js';
import type { BindParams, ColumnKind, RowBatch, StreamQueryOptions } from './dialect.js';

/**
 * Report rows on Oracle: one pooled connection, `execute(…, { resultSet: true })` and
 * `getRows(batchSize)` until a short batch, then the result set and connection are closed.
 * Values are shaped per ColumnKind by the fetch type handler inside the driver: NUMBER as
 * exact decimal text, DATE/TIMESTAMP as wall-clock ISO text (processes run with TZ=UTC, so a
 * Date's UTC fields are the stored fields), LOBs as text, RAW/BLOB as hex.
 */
type Converter = (value: unknown) => unknown;

/** Thin prints 0.5 as ".5" and -0.5 as "-.5". */
export function normalizeDecimal(text: string): string {
  return text.replace(/^(-?)\./, '$10.');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A Date whose UTC fields are a wall-clock time → `YYYY-MM-DDTHH:MM:SS[.mmm]`. */
export function wallClockIso(d: Date): string {
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return d.getUTCMilliseconds() === 0 ? base : `${base}.${pad(d.getUTCMilliseconds(), 3)}`;
}

const nullable =
  <T>(convert: (value: T) => unknown): Converter =>
  (value) =>
    value === null || value === undefined ? null : convert(value as T);

const hex = nullable<Buffer>((b) => b.toString('hex').toUpperCase());
const asText = nullable<unknown>((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));

interface OracleRule {
  kind: ColumnKind;
  fetch?: oracledb.FetchTypeResponse;
}

function rule(dbType: oracledb.DbType | undefined): OracleRule {
  switch (dbType) {
    case oracledb.DB_TYPE_NUMBER:
      return { kind: 'number', fetch: { type: oracledb.STRING, converter: nullable(normalizeDecimal) } };
    case oracledb.DB_TYPE_BINARY_DOUBLE:
    case oracledb.DB_TYPE_BINARY_FLOAT:
    case oracledb.DB_TYPE_BINARY_INTEGER:
      return { kind: 'number' };
    case oracledb.DB_TYPE_BOOLEAN:
      return { kind: 'boolean' };
    case oracledb.DB_TYPE_DATE:
    case oracledb.DB_TYPE_TIMESTAMP:
      return { kind: 'timestamp', fetch: { converter: nullable(wallClockIso) } };
    case oracledb.DB_TYPE_TIMESTAMP_TZ:
    case oracledb.DB_TYPE_TIMESTAMP_LTZ:
      return { kind: 'timestamptz', fetch: { converter: nullable<Date>((d) => d.toISOString()) } };
    case oracledb.DB_TYPE_VARCHAR:
    case oracledb.DB_TYPE_NVARCHAR:
    case oracledb.DB_TYPE_CHAR:
    case oracledb.DB_TYPE_NCHAR:
    case oracledb.DB_TYPE_LONG:
    case oracledb.DB_TYPE_ROWID:
      return { kind: 'text' };
    case oracledb.DB_TYPE_CLOB:
    case oracledb.DB_TYPE_NCLOB:
      return { kind: 'text', fetch: { type: oracledb.STRING } };
    case oracledb.DB_TYPE_BLOB:
      return { kind: 'text', fetch: { type: oracledb.BUFFER, converter: hex } };
    case oracledb.DB_TYPE_RAW:
    case oracledb.DB_TYPE_LONG_RAW:
      return { kind: 'text', fetch: { converter: hex } };
    default:
      // Intervals, JSON, objects, vectors …: their text, so a writer never meets an object.
      return { kind: 'text', fetch: { converter: asText } };
  }
}

/** The fetch type handler of report queries (exported to pin it in tests). */
export function reportFetchType(meta: { dbType?: oracledb.DbType }): oracledb.FetchTypeResponse | undefined {
  return rule(meta.dbType).fetch;
}

export function reportColumnKind(meta: { dbType?: oracledb.DbType }): ColumnKind {
  return rule(meta.dbType).kind;
}

/** ACTION is 64 bytes at most; labels are ASCII in practice. */
const MAX_ACTION = 64;

export async function* streamOracleRows(
  acquire: () => Promise<oracledb.Connection>,
  sqlText: string,
  params: BindParams,
  options: StreamQueryOptions,
): AsyncGenerator<RowBatch> {
  const { batchSize, signal } = options;
  signal?.throwIfAborted();
  const connection = await acquire();
  // break() interrupts the call in flight, which then fails with ORA-01013.
  const interrupt = () => void connection.break().catch(() => undefined);
  let resultSet: oracledb.ResultSet<unknown[]> | undefined;
  try {
    connection.module = 'dwprc';
    connection.action = (options.label ?? 'report').slice(0, MAX_ACTION);
    signal?.addEventListener('abort', interrupt, { once: true });
    signal?.throwIfAborted();
    const binds = (Array.isArray(params) ? [...params] : { ...params }) as oracledb.BindParameters;
    const result = await connection.execute<unknown[]>(sqlText, binds, {
      resultSet: true,
      outFormat: oracledb.OUT_FORMAT_ARRAY,
      fetchArraySize: batchSize,
      prefetchRows: batchSize,
      fetchTypeHandler: reportFetchType,
    });
    resultSet = result.resultSet;
    if (!resultSet) throw new UserError('report SQL must be a query (SELECT, or WITH … SELECT)');
    const columns = resultSet.metaData.map((meta) => ({ name: meta.name, kind: reportColumnKind(meta) }));
    let first = true;
    for (;;) {
      signal?.throwIfAborted();
      const rows = await resultSet.getRows(batchSize);
      if (first || rows.length > 0) yield { columns, rows };
      first = false;
      if (rows.length < batchSize) break;
    }
  } finally {
    signal?.removeEventListener('abort', interrupt);
    await resultSet?.close().catch(() => undefined);
    // Sent with the next user's first call, so a pooled session does not keep the report's name.
    connection.action = '';
    // An interrupted session is dropped rather than pooled: cheap, and nothing stale survives.
    await connection.close({ drop: signal?.aborted === true }).catch(() => undefined);
  }
}
