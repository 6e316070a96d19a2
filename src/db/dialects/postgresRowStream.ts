import type pg from 'pg';
import type { BindParams, ColumnKind, ResultColumn, RowBatch, StreamQueryOptions } from './dialect.js';
import { toPositionalBinds } from './namedPlaceholders.js';
import { cancelBackend } from './postgresCancel.js';

/**
 * Report rows on PostgreSQL: a NO SCROLL cursor in a read-only transaction on one pinned
 * connection, fetched `batchSize` rows at a time (no extra package: pg-cursor would do the
 * same with a protocol-level portal). Values arrive as text and are shaped per ColumnKind
 * here, not by the pool's parsers: bigint/numeric stay exact decimal text, timestamps keep
 * their microseconds, and any other type is the server's own text (json, arrays, intervals,
 * bytea as \x…).
 */
interface TypeRule {
  kind: ColumnKind;
  parse: (text: string) => unknown;
}

const asText = (text: string) => text;
const TIMESTAMP = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)$/;
const TIMESTAMPTZ = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(:\d\d)?$/;

const number: TypeRule = { kind: 'number', parse: Number };
const exactNumber: TypeRule = { kind: 'number', parse: asText };
const RULES = new Map<number, TypeRule>([
  [16, { kind: 'boolean', parse: (t) => t === 't' }],
  [20, exactNumber], // int8
  [1700, exactNumber], // numeric
  [21, number], // int2
  [23, number], // int4
  [26, number], // oid
  [700, number], // float4
  [701, number], // float8
  [1082, { kind: 'date', parse: asText }], // DateStyle ISO is set for the transaction
  [1114, { kind: 'timestamp', parse: (t) => t.replace(TIMESTAMP, '$1T$2') }],
  [1184, { kind: 'timestamptz', parse: (t) => t.replace(TIMESTAMPTZ, (_m, d, time, h, m) => `${d}T${time}${h}${m ?? ':00'}`) }],
]);

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) => RULES.get(oid)?.parse ?? asText) as pg.CustomTypesConfig['getTypeParser'],
};

const CURSOR = 'dwprc_report';

export async function* streamPostgresRows(pool: pg.Pool, sqlText: string, params: BindParams, options: StreamQueryOptions): AsyncGenerator<RowBatch> {
  const query = Array.isArray(params) ? { text: sqlText, values: [...params] } : toPositionalBinds(sqlText, params as Record<string, unknown>);
  const { batchSize, signal } = options;
  signal?.throwIfAborted();
  const client = await pool.connect();
  let cancelling: Promise<void> | null = null;
  let pid = 0;
  const cancel = () => {
    cancelling ??= cancelBackend(pool, pid).catch(() => undefined);
  };
  try {
    await client.query('begin read only');
    const session = await client.query<{ pid: number }>(
      `select pg_backend_pid() as pid, set_config('DateStyle', 'ISO, YMD', true), set_config('application_name', $1, true)`,
      [options.label ?? 'dwprc'],
    );
    pid = session.rows[0]!.pid;
    signal?.addEventListener('abort', cancel, { once: true });
    signal?.throwIfAborted();
    await client.query({ text: `declare ${CURSOR} no scroll cursor for ${query.text}`, values: query.values });
    const fetch: pg.QueryArrayConfig = { text: `fetch ${batchSize} from ${CURSOR}`, rowMode: 'array', types };
    let columns: ResultColumn[] | null = null;
    for (;;) {
      signal?.throwIfAborted();
      const result = await client.query(fetch);
      const first = columns === null;
      columns ??= result.fields.map((f) => ({ name: f.name, kind: RULES.get(f.dataTypeID)?.kind ?? 'text' }));
      if (first || result.rows.length > 0) yield { columns, rows: result.rows };
      if (result.rows.length < batchSize) break;
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    if (cancelling) {
      // A cancel may still land on this backend: never hand the connection to another user.
      await cancelling;
      client.release(true);
    } else {
      await client.query('rollback').then(
        () => client.release(),
        (error: Error) => client.release(error),
      );
    }
  }
}
