import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertAsTheTool } from '../support/dmsTool.js';
import { insertFlows, sleepingBlock } from '../support/flows.js';
import { statuses } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/** A block for a DMS_ install: the same as sleepingBlock, on DMS_PRCLOG. */
const dmsBlock = (mapref: string, seconds: number) => sleepingBlock(mapref, seconds).replace(/\bdwprclog\b/g, 'dms_prclog');

/** Real worker processes on a DMS_ install, beside rows the DMS tool writes. */
describe('a worker beside the DMS tool (DMS_ tables)', () => {
  let t: TestDatabase;
  const running: WorkerProcess[] = [];
  const env = { DWPRC_TABLE_PREFIX: 'DMS_', DWPRC_POLL: '200ms' };
  before(async () => {
    t = await createTestDatabase({ tablePrefix: 'DMS_' });
  });
  after(async () => {
    await stopWorkers(running);
    await t?.drop();
  });

  test('the tool\'s FILE_UPLOAD and REPORT:<id> rows are left exactly as they are; an unknown type fails alone; the start-up log names another claimer', async () => {
    await insertFlows(t.dialect, [{ mapref: 'SALES_FCT', dwlogic: dmsBlock('SALES_FCT', 0) }]);
    await insertAsTheTool(t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000001', mapref: 'FLUPLD:SALES_2026', type: 'FILE_UPLOAD', payload: { flupldref: 'SALES_2026' } });
    await insertAsTheTool(t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000002', mapref: 'REPORT:42', type: 'REPORT', payload: { reportId: 42 } });
    await insertAsTheTool(t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000003', mapref: 'SALES_FCT', type: 'IMMEDIATE', payload: {} });
    await insertAsTheTool(t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000004', mapref: 'SALES_FCT', type: 'EXPORT', payload: {} });
    // The tool's own scheduler service, left running, took one row its way.
    await insertAsTheTool(t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000005', mapref: 'OTHER_FCT', type: 'IMMEDIATE', payload: {} });
    await sql`update dms_prcreq set status = 'PROCESSING', claimed_by = 'scheduler_service', claimed_at = current_timestamp
               where request_id = 'a1b2c3d4-0000-4000-8000-000000000005'`.execute(t.dialect.db);
    const foreignBefore = await sql`select * from dms_prcreq where request_type in ('FILE_UPLOAD', 'REPORT') order by request_id`.execute(t.dialect.db);

    const worker = spawnWorker(t.url, env);
    running.push(worker);
    await serving(t.dialect, worker);
    await waitFor(async () => {
      const s = await statuses(t.dialect);
      return s['a1b2c3d4-0000-4000-8000-000000000003'] === 'DONE' && s['a1b2c3d4-0000-4000-8000-000000000004'] === 'FAILED';
    }, 'the IMMEDIATE to run and the EXPORT to fail');
    // Two more claim rounds with nothing else to do: the foreign rows are still not touched.
    await insertAsTheTool(t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000006', mapref: 'SALES_FCT', type: 'IMMEDIATE', payload: {} });
    await waitFor(async () => (await statuses(t.dialect))['a1b2c3d4-0000-4000-8000-000000000006'] === 'DONE', 'a later request to run');
    await stopWorkers([worker]);

    const foreignAfter = await sql`select * from dms_prcreq where request_type in ('FILE_UPLOAD', 'REPORT') order by request_id`.execute(t.dialect.db);
    assert.deepEqual(foreignAfter.rows, foreignBefore.rows, 'never claimed, never updated');
    const failed = await t.dialect.db.selectFrom('dwprcreq').select('resultPayload').where('requestId', '=', 'a1b2c3d4-0000-4000-8000-000000000004').executeTakeFirstOrThrow();
    assert.match(failed.resultPayload ?? '', /REQUEST_TYPE/i, 'an unknown type fails with its reason');
    assert.match(worker.output(), /requests are being claimed by something that is not a dwprc worker .*1 request\(s\) with STATUS PROCESSING/, worker.output());
  });
});
