import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { runReport } from '../../src/engine/report.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { defineReport, reportHarness, reportRequest } from '../support/reportContext.js';

const SQL = `
select g as id,
       'name ' || g as name,
       (g * 0.5)::numeric(10,1) as half,
       date '2024-03-01' + g as day,
       timestamp '2024-03-01 12:00:00' + g * interval '1 minute' as ts,
       timestamptz '2024-03-01 12:00:00+02' as tstz,
       g % 2 = 0 as even,
       case when g % 10 = 0 then null else g end as maybe,
       12345678901234567890 + g as big
  from generate_series(1, 500) g`;

async function readWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  return workbook;
}

describe('XLSX reports (embedded PostgreSQL, read back with exceljs)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await defineReport(t, 'SALES/Q1', SQL);
  });
  after(() => t.drop());

  test('500 rows: typed cells (numbers, dates, booleans, empty for NULL), bold header, date formats', async () => {
    const h = await reportHarness(t);
    const outcome = await runReport(reportRequest({ sqlCode: 'SALES/Q1', requestId: 'r-9', format: 'XLSX' }), h.ctx, { batchSize: 64 });
    const file = path.join(h.dir, 'SALES_Q1-r-9.xlsx');
    assert.equal(outcome.status, 'DONE', outcome.result.message);
    assert.deepEqual(outcome.result, { status: 'DONE', message: `Report SALES/Q1: 500 rows written to ${file}`, sql_code: 'SALES/Q1', format: 'XLSX', file, rows: 500 });
    assert.deepEqual(await readdir(h.dir), ['SALES_Q1-r-9.xlsx']);

    const workbook = await readWorkbook(file);
    assert.equal(workbook.worksheets.length, 1);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.name, 'SALES_Q1', 'sheet names cannot hold "/"');
    assert.equal(sheet.rowCount, 501);
    const header = sheet.getRow(1);
    assert.deepEqual((header.values as unknown[]).slice(1), ['id', 'name', 'half', 'day', 'ts', 'tstz', 'even', 'maybe', 'big']);
    assert.equal(header.getCell(1).font?.bold, true);

    const row = (g: number) => sheet.getRow(g + 1);
    assert.equal(row(1).getCell(1).value, 1);
    assert.equal(row(1).getCell(2).value, 'name 1');
    assert.equal(row(1).getCell(3).value, 0.5);
    assert.deepEqual(row(1).getCell(4).value, new Date(Date.UTC(2024, 2, 2)));
    assert.equal(row(1).getCell(4).numFmt, 'yyyy-mm-dd');
    assert.deepEqual(row(1).getCell(5).value, new Date(Date.UTC(2024, 2, 1, 12, 1)));
    assert.equal(row(1).getCell(5).numFmt, 'yyyy-mm-dd hh:mm:ss');
    assert.deepEqual(row(1).getCell(6).value, new Date(Date.UTC(2024, 2, 1, 10, 0)), 'timestamptz is shown in UTC');
    assert.equal(row(1).getCell(7).value, false);
    assert.equal(row(2).getCell(7).value, true);
    assert.equal(row(1).getCell(8).value, 1);
    assert.equal(row(10).getCell(8).value, null, 'NULL is an empty cell');
    assert.equal(row(1).getCell(9).value, '12345678901234567891', 'beyond 15 digits a number stays exact text');
    assert.equal(row(500).getCell(1).value, 500);
    assert.equal(row(500).getCell(3).value, 250);
    assert.equal(row(500).getCell(2).type, ExcelJS.ValueType.String);
    assert.equal(row(500).getCell(1).type, ExcelJS.ValueType.Number);
    assert.equal(row(500).getCell(4).type, ExcelJS.ValueType.Date);
  });

  test('a report longer than a sheet continues on numbered sheets, each with the header', async () => {
    await defineReport(t, 'LONG', 'select g as n from generate_series(1, 450) g');
    const h = await reportHarness(t);
    const outcome = await runReport(reportRequest({ sqlCode: 'LONG', format: 'XLSX', file: 'long.xlsx' }), h.ctx, { batchSize: 100, rowsPerSheet: 200 });
    assert.equal(outcome.result.rows, 450);
    const workbook = await readWorkbook(path.join(h.dir, 'long.xlsx'));
    assert.deepEqual(workbook.worksheets.map((s) => [s.name, s.rowCount]), [['LONG', 201], ['LONG (2)', 201], ['LONG (3)', 51]]);
    const third = workbook.worksheets[2]!;
    assert.equal(third.getRow(1).getCell(1).value, 'n');
    assert.equal(third.getRow(2).getCell(1).value, 401);
    assert.equal(third.getRow(51).getCell(1).value, 450);
  });

  test('STOP during an XLSX report: CANCELLED and no file', async () => {
    await defineReport(t, 'WIDE', "select g, repeat('x', 200) as pad from generate_series(1, 5000) g");
    const h = await reportHarness(t);
    const outcome = await runReport(reportRequest({ sqlCode: 'WIDE', format: 'XLSX' }), h.ctx, {
      batchSize: 500,
      onProgress: (rows) => rows === 1000 && h.stop.abort({ kind: 'lease-lost' }),
    });
    assert.equal(outcome.status, 'CANCELLED');
    assert.equal(outcome.result.message, 'Report WIDE stopped because this worker lost its lease; no file written');
    assert.deepEqual(await readdir(h.dir), []);
  });
});
