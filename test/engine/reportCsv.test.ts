import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runReport } from '../../src/engine/report.js';
import { parseCsv } from '../support/csv.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { defineReport, reportHarness, reportRequest } from '../support/reportContext.js';
import { waitFor } from '../support/waitFor.js';

const ROWS = 100_000;

// Every awkward value a report meets: commas and quotes (in a column name too), CR/LF inside
// fields, non-ASCII text, NULL next to the empty string, dates, timestamps with fractions,
// exact decimals, booleans.
const BIG_SQL = `
select g as id,
       case when g % 7 = 0 then null when g % 7 = 1 then '' else format('name %s, "the" %s', g, g) end as "Name, quoted",
       case when g % 3 = 0 then E'line1\\nline2\\r\\nline3' else 'ünïcødé ✓ 漢字 ' || g end as note,
       date '2024-01-01' + (g % 366) as day,
       timestamp '2024-01-01 00:00:00' + g * interval '1.5 second' as ts,
       (g * 1.25)::numeric(14,2) as amount,
       g % 2 = 0 as even
  from generate_series(1, ${ROWS}) g;
`;

function expectedRecord(g: number): (string | null)[] {
  const name = g % 7 === 0 ? null : g % 7 === 1 ? '' : `name ${g}, "the" ${g}`;
  const note = g % 3 === 0 ? 'line1\nline2\r\nline3' : `ünïcødé ✓ 漢字 ${g}`;
  const day = new Date(Date.UTC(2024, 0, 1 + (g % 366))).toISOString().slice(0, 10);
  const ms = g * 1500;
  const stamp = new Date(Date.UTC(2024, 0, 1) + ms).toISOString().slice(0, 19);
  const ts = ms % 1000 === 0 ? stamp : `${stamp}.${String(ms % 1000).replace(/0+$/, '')}`;
  return [String(g), name, note, day, ts, (g * 1.25).toFixed(2), g % 2 === 0 ? 'true' : 'false'];
}

describe('CSV reports (embedded PostgreSQL)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await defineReport(t, 'BIG', BIG_SQL);
  });
  after(() => t.drop());

  test('100k rows: header, every record, RFC 4180 quoting, NULL vs empty, ISO dates; written batch by batch', async () => {
    const h = await reportHarness(t);
    const progress: number[] = [];
    const request = reportRequest({ sqlCode: 'BIG', requestId: 'req-1' });
    const outcome = await runReport(request, h.ctx, { batchSize: 1000, onProgress: (rows) => progress.push(rows) });

    const file = path.join(h.dir, 'BIG-req-1.csv');
    assert.deepEqual(outcome, {
      status: 'DONE',
      started: false,
      result: { status: 'DONE', message: `Report BIG: ${ROWS} rows written to ${file}`, sql_code: 'BIG', format: 'CSV', file, rows: ROWS },
    });
    assert.deepEqual(await readdir(h.dir), ['BIG-req-1.csv'], 'only the final file, no temporary left');
    assert.deepEqual(progress, Array.from({ length: ROWS / 1000 }, (_, i) => (i + 1) * 1000), 'one write per fetched batch');

    const text = await readFile(file, 'utf8');
    assert.ok(text.startsWith('id,"Name, quoted",note,day,ts,amount,even\r\n'));
    // Raw lines as a CSV consumer sees them: g=1 has the empty string, g=3 the quoted line breaks, g=7 a NULL.
    assert.ok(text.includes('\r\n1,"",ünïcødé ✓ 漢字 1,2024-01-02,2024-01-01T00:00:01.5,1.25,false\r\n'));
    assert.ok(text.includes('\r\n3,"name 3, ""the"" 3","line1\nline2\r\nline3",2024-01-04,2024-01-01T00:00:04.5,3.75,false\r\n'));
    assert.ok(text.includes('\r\n14,,ünïcødé ✓ 漢字 14,2024-01-15,2024-01-01T00:00:21,17.50,true\r\n'));

    const records = parseCsv(text);
    assert.equal(records.length, ROWS + 1);
    assert.deepEqual(records[0], ['id', 'Name, quoted', 'note', 'day', 'ts', 'amount', 'even']);
    for (let g = 1; g <= ROWS; g++) {
      const got = records[g];
      const want = expectedRecord(g);
      // deepEqual on 100k rows one by one is slow; compare joined, report the first difference.
      if (JSON.stringify(got) !== JSON.stringify(want)) assert.deepEqual(got, want, `record ${g}`);
    }
  });

  test('rows reach the file while the query is still producing them: an error at row 15001 comes after 15000 rows were written', async () => {
    // A client that buffered the whole result (one plain query) would see the error before any row.
    await defineReport(t, 'LATE_ERROR', 'select g, 1 / (15001 - g) as boom from generate_series(1, 20000) g');
    const h = await reportHarness(t);
    const progress: number[] = [];
    const outcome = await runReport(reportRequest({ sqlCode: 'LATE_ERROR' }), h.ctx, { batchSize: 500, onProgress: (rows) => progress.push(rows) });
    assert.equal(outcome.status, 'FAILED');
    assert.equal(outcome.result.message, 'Report LATE_ERROR failed: division by zero');
    assert.equal(progress.at(-1), 15000);
    assert.equal(progress.length, 30);
    assert.deepEqual(await readdir(h.dir), [], 'the temporary file is removed');
  });

  test('a SQL error fails the request with the database message and leaves no file', async () => {
    await defineReport(t, 'TYPO', 'selec 1');
    const h = await reportHarness(t);
    const outcome = await runReport(reportRequest({ sqlCode: 'TYPO' }), h.ctx);
    assert.deepEqual(outcome.result, { status: 'FAILED', message: 'Report TYPO failed: syntax error at or near "selec"', sql_code: 'TYPO', format: 'CSV' });
    assert.equal(outcome.status, 'FAILED');
    assert.deepEqual(await readdir(h.dir), []);
  });

  test('an unknown or retired code fails with the message the UI shows', async () => {
    await defineReport(t, 'RETIRED', 'select 1 as x', 'N');
    const h = await reportHarness(t);
    for (const code of ['NOPE', 'RETIRED']) {
      const outcome = await runReport(reportRequest({ sqlCode: code }), h.ctx);
      assert.equal(outcome.status, 'FAILED');
      assert.equal(outcome.result.message, `No report SQL found for sql_code ${code} (DWMAPRSQL, CURFLG 'Y')`);
    }
    await defineReport(t, 'BLANK', '  ');
    const blank = await runReport(reportRequest({ sqlCode: 'BLANK' }), h.ctx);
    assert.equal(blank.result.message, 'The report SQL of sql_code BLANK is empty');
    assert.deepEqual(await readdir(h.dir), []);
  });

  test('the current version of a code is the one run; an empty result still has its header', async () => {
    await defineReport(t, 'VERSIONED', "select 'old' as v", 'N');
    await defineReport(t, 'VERSIONED', "select 'new' as v, 2 as n where false");
    const h = await reportHarness(t);
    const outcome = await runReport(reportRequest({ sqlCode: 'VERSIONED', file: 'versioned.csv' }), h.ctx);
    assert.equal(outcome.status, 'DONE');
    assert.equal(outcome.result.rows, 0);
    assert.equal(outcome.result.file, path.join(h.dir, 'versioned.csv'));
    assert.equal(await readFile(path.join(h.dir, 'versioned.csv'), 'utf8'), 'v,n\r\n');
  });

  test('a file name that is not a file is refused', async () => {
    const h = await reportHarness(t);
    const outcome = await runReport(reportRequest({ sqlCode: 'VERSIONED', file: '..' }), h.ctx);
    assert.equal(outcome.result.message, 'Report VERSIONED failed: file must name a file, got ".."');
  });

  test('STOP mid-stream: CANCELLED, no file, no temporary file, the cursor closed', async () => {
    const h = await reportHarness(t);
    const progress: number[] = [];
    const outcome = await runReport(reportRequest({ sqlCode: 'BIG' }), h.ctx, {
      batchSize: 1000,
      onProgress: (rows) => {
        progress.push(rows);
        if (rows === 3000) h.stop.abort({ kind: 'stop-request', force: false, stopRequestId: 'STOP-9' });
      },
    });
    assert.deepEqual(outcome, {
      status: 'CANCELLED',
      started: false,
      result: { status: 'CANCELLED', message: 'Report BIG stopped by STOP request STOP-9; no file written', sql_code: 'BIG', format: 'CSV' },
    });
    assert.deepEqual(progress, [1000, 2000, 3000]);
    assert.deepEqual(await readdir(h.dir), []);
    const sessions = async () => (await t.dialect.pool.query(`select count(*)::int as n from pg_stat_activity where application_name = 'dwprc report BIG'`)).rows[0].n as number;
    await waitFor(async () => (await sessions()) === 0, 'the report session to end');
  });

  test('kill cancels the statement in flight (a query that would run for a minute)', async () => {
    await defineReport(t, 'SLEEPY', 'select pg_sleep(60) as s');
    const h = await reportHarness(t);
    const running = runReport(reportRequest({ sqlCode: 'SLEEPY' }), h.ctx);
    const activeSleepers = async () =>
      (await t.dialect.pool.query(`select count(*)::int as n from pg_stat_activity where application_name = 'dwprc report SLEEPY' and state = 'active'`)).rows[0].n as number;
    await waitFor(async () => (await activeSleepers()) === 1, 'the report query to be running');
    h.kill.abort({ kind: 'shutdown' });
    const outcome = await running;
    assert.equal(outcome.status, 'CANCELLED');
    assert.equal(outcome.result.message, 'Report SLEEPY stopped by worker shutdown; no file written');
    await waitFor(async () => (await activeSleepers()) === 0, 'the backend to leave pg_sleep');
    assert.deepEqual(await readdir(h.dir), []);
  });
});

