import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvField, csvRecord } from '../../src/engine/reports/csv.js';
import { reportFileName } from '../../src/engine/reports/reportFile.js';
import { sheetTitle } from '../../src/engine/reports/xlsx.js';
import { cellValue, excelNumber } from '../../src/engine/reports/xlsxCells.js';

describe('report formats (pure)', () => {
  test('CSV fields: quoted only when needed, quotes doubled, NULL empty, empty string ""', () => {
    assert.equal(csvField(null), '');
    assert.equal(csvField(''), '""');
    assert.equal(csvField('plain ünï'), 'plain ünï');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('cr\ronly'), '"cr\ronly"');
    assert.equal(csvField(' padded '), ' padded ');
    assert.equal(csvField(1.5), '1.5');
    assert.equal(csvField(false), 'false');
    assert.equal(csvRecord(['a', null, 'b"c']), 'a,,"b""c"\r\n');
  });

  test('XLSX numbers: up to 15 significant digits become numbers, longer decimals stay exact text', () => {
    assert.equal(excelNumber('123.4500'), 123.45);
    assert.equal(excelNumber('-0.000123'), -0.000123);
    assert.equal(excelNumber('1000000000000000000000'), 1e21);
    assert.equal(excelNumber('123456789012345'), 123456789012345);
    assert.equal(excelNumber('1234567890123456'), '1234567890123456');
    assert.equal(excelNumber('NaN'), 'NaN');
    assert.equal(cellValue('number', Number.POSITIVE_INFINITY), 'Infinity');
  });

  test('XLSX dates: ISO text → Date (UTC fields = wall clock); what Excel cannot show stays text', () => {
    assert.deepEqual(cellValue('date', '2024-02-29'), new Date(Date.UTC(2024, 1, 29)));
    assert.deepEqual(cellValue('timestamp', '2024-02-29T23:59:58.123456'), new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123)));
    assert.deepEqual(cellValue('timestamptz', '2024-02-29T01:00:00+02:00'), new Date(Date.UTC(2024, 1, 28, 23)));
    assert.equal(cellValue('date', 'infinity'), 'infinity');
    assert.equal(cellValue('date', '1899-12-31'), '1899-12-31');
    assert.equal(cellValue('timestamp', '0044-03-15 00:00:00 BC'), '0044-03-15 00:00:00 BC');
    assert.equal(cellValue('text', null), null);
  });

  test('sheet names: no []:*?/\\, at most 31 characters, numbered continuations fit', () => {
    assert.equal(sheetTitle('a[b]:c*d?e/f\\g', 1), 'a_b__c_d_e_f_g');
    assert.equal(sheetTitle('X'.repeat(40), 1), 'X'.repeat(31));
    assert.equal(sheetTitle('X'.repeat(40), 12), `${'X'.repeat(26)} (12)`);
    assert.equal(sheetTitle("''", 1), 'Report');
  });

  test('file names: the payload file as given, else <code>-<request id>.<ext> made file-safe', () => {
    const base = { sqlCode: 'SALES Q1/EU', requestId: 'S12-202401010600', format: 'CSV' as const, file: null };
    assert.equal(reportFileName(base), 'SALES_Q1_EU-S12-202401010600.csv');
    assert.equal(reportFileName({ ...base, format: 'XLSX' }), 'SALES_Q1_EU-S12-202401010600.xlsx');
    assert.equal(reportFileName({ ...base, file: 'monthly.csv' }), 'monthly.csv');
    assert.throws(() => reportFileName({ ...base, file: '.' }), /file must name a file/);
  });
});
