import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { runReport } from '../../src/engine/report.js';
import type { ReportRequest } from '../../src/queue/request.js';
import { parseCsv } from '../support/csv.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { defineReport, type ReportHarness, reportHarness, reportRequest } from '../support/reportContext.js';

const INJECTION = "x'; drop table dwmaprsql; --";

describe('report parameters are bound, never pasted (embedded PostgreSQL)', () => {
  let t: TestDatabase;
  let h: ReportHarness;
  before(async () => {
    t = await createTestDatabase();
    h = await reportHarness(t);
    await defineReport(
      t,
      'NAMED',
      `select g as n, :label as label, ':not_a_bind' as lit, $$ :also_not $$ as dollar -- :comment
         from generate_series(1, 10) g /* :block */
        where g between :from::int and :TO and g % :step = 0;`,
    );
    await defineReport(t, 'POSITIONAL', 'select $1::text as a, $2::int + 1 as b, $3::date as c');
  });
  after(() => t.drop());

  async function rows(request: ReportRequest): Promise<(string | null)[][]> {
    const outcome = await runReport(request, h.ctx);
    assert.equal(outcome.status, 'DONE', outcome.result.message);
    return parseCsv(await readFile(outcome.result.file as string, 'utf8'));
  }

  test('named :params (with casts, literals and comments around them); an injection attempt is data', async () => {
    const got = await rows(reportRequest({ sqlCode: 'NAMED', params: { from: 2, to: '9', step: 2, label: INJECTION } }));
    assert.deepEqual(got, [
      ['n', 'label', 'lit', 'dollar'],
      ['2', INJECTION, ':not_a_bind', ' :also_not '],
      ['4', INJECTION, ':not_a_bind', ' :also_not '],
      ['6', INJECTION, ':not_a_bind', ' :also_not '],
      ['8', INJECTION, ':not_a_bind', ' :also_not '],
    ]);
    const { rows: left } = await t.dialect.pool.query(`select count(*)::int as n from dwmaprsql`);
    assert.ok(left[0].n >= 2, 'the table is still there');
  });

  test('positional $n params from an array', async () => {
    const got = await rows(reportRequest({ sqlCode: 'POSITIONAL', params: [INJECTION, 41, '2024-02-29'] }));
    assert.deepEqual(got, [['a', 'b', 'c'], [INJECTION, '42', '2024-02-29']]);
  });

  test('a missing or unknown name, or a parameter that is not a scalar, fails with one line', async () => {
    const cases: [ReportRequest['params'], string][] = [
      [{ from: 1, step: 1, label: 'x' }, 'Report NAMED failed: report SQL uses :TO but params has no "TO"'],
      [{ from: 1, to: 2, step: 1, label: 'x', extra: 1 }, 'Report NAMED failed: no bind placeholder named ":extra" was found in the report SQL'],
      [{ from: 1, to: 2, step: 1, label: { nested: true } }, 'Report NAMED failed: params.label must be a string, number, boolean or null, got {"nested":true}'],
    ];
    for (const [params, message] of cases) {
      const outcome = await runReport(reportRequest({ sqlCode: 'NAMED', params }), h.ctx);
      assert.equal(outcome.status, 'FAILED');
      assert.equal(outcome.result.message, message);
    }
    const positional = await runReport(reportRequest({ sqlCode: 'POSITIONAL', params: ['a', [1]] }), h.ctx);
    assert.equal(positional.result.message, 'Report POSITIONAL failed: params[1] must be a string, number, boolean or null, got [1]');
  });
});
