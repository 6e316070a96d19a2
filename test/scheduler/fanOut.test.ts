import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { defineFlow } from '../../src/engine/flow.js';
import type { FlowRegistry } from '../../src/engine/loadFlows.js';
import { createLogger } from '../../src/observe/logger.js';
import { dependencyId } from '../../src/scheduler/firingId.js';
import { processRequest } from '../../src/worker/processRequest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertRequests } from '../support/requests.js';
import { insertSchedule } from '../support/schedules.js';
import { testConfig } from '../support/testConfig.js';

/** Dependency children are queued by the worker slot that completes their parent's request. */
describe('dependency fan-out on completion', () => {
  let t: TestDatabase;
  let child: number;
  let sibling: number;
  const flows: FlowRegistry = new Map(
    [
      defineFlow({ mapref: 'FO_PARENT', run: () => undefined }),
      defineFlow({
        mapref: 'FO_FAILS',
        run: () => {
          throw new Error('boom');
        },
      }),
    ].map((flow) => [flow.mapref, { flow, file: 'fanOut.test.ts' }] as const),
  );

  before(async () => {
    t = await createTestDatabase();
    // An old version of the parent's schedule: children point at the current one only.
    await insertSchedule(t.dialect, { mapref: 'FO_PARENT', frqcd: 'DL', frqhh: '1', frqmi: '0', strtdt: '2030-01-01' });
    await t.dialect.db.updateTable('dwjobsch').set({ curflg: 'N' }).where('mapref', '=', 'FO_PARENT').execute();
    const parent = await insertSchedule(t.dialect, { mapref: 'FO_PARENT', frqcd: 'DL', frqhh: '2', frqmi: '0', strtdt: '2030-01-01' });
    child = await insertSchedule(t.dialect, { mapref: 'FO_CHILD', frqcd: 'DL', frqhh: '3', frqmi: '0', strtdt: '2030-01-01', parent });
    sibling = await insertSchedule(t.dialect, { mapref: 'FO_SIBLING', frqcd: 'DL', frqhh: '3', frqmi: '0', strtdt: '2030-01-01', parent });
    await insertSchedule(t.dialect, { mapref: 'FO_DISABLED', frqcd: 'DL', frqhh: '3', frqmi: '0', strtdt: '2030-01-01', parent, schflg: 'N' });
    const failing = await insertSchedule(t.dialect, { mapref: 'FO_FAILS', frqcd: 'DL', frqhh: '1', frqmi: '0', strtdt: '2030-01-01' });
    await insertSchedule(t.dialect, { mapref: 'FO_ORPHAN', frqcd: 'DL', frqhh: '3', frqmi: '0', strtdt: '2030-01-01', parent: failing });
  });
  after(() => t.drop());

  async function complete(id: string, mapref: string, type = 'IMMEDIATE', payload: string | null = null) {
    await insertRequests(t.dialect, [{ id, mapref, type, payload }]);
    const [row] = await t.dialect.claimRequests('fo:1:1', 1, 30_000);
    assert.equal(row?.requestId, id);
    const deps = { dialect: t.dialect, config: { ...testConfig(t.url), timeZone: 'UTC' }, log: createLogger({ level: 'silent', pretty: false }), workerId: 'fo:1:1', execute: executeRequest, flows };
    return processRequest(row, { stop: new AbortController().signal, kill: new AbortController().signal }, deps);
  }

  const queued = async (prefix: string) =>
    (await t.dialect.db.selectFrom('dwprcreq').select(['requestId', 'mapref', 'requestType', 'payload', 'status']).where('requestId', 'like', `${prefix}%`).orderBy('requestId').execute()).map(
      (r) => ({ ...r, payload: JSON.parse(r.payload ?? '{}') as Record<string, unknown> }),
    );

  test('a PC parent queues one request per enabled child of its current schedule, keyed by the parent run', async () => {
    assert.equal(await complete('p1', 'FO_PARENT'), 'DONE');
    const { prcid } = await t.dialect.db.selectFrom('dwprcreq').select('prcid').where('requestId', '=', 'p1').executeTakeFirstOrThrow();
    const children = await queued(`D${prcid}-`);
    assert.deepEqual(
      children.map((c) => [c.requestId, c.mapref, c.requestType, c.status]),
      [
        [dependencyId(prcid!, child), 'FO_CHILD', 'IMMEDIATE', 'NEW'],
        [dependencyId(prcid!, sibling), 'FO_SIBLING', 'IMMEDIATE', 'NEW'],
      ],
    );
    assert.deepEqual(children[0]!.payload, { source: 'dependency', jobschid: child, parent_mapref: 'FO_PARENT', parent_request_id: 'p1', parent_prcid: prcid });
  });

  test('a HISTORY parent gives its children a HISTORY over the same days', async () => {
    assert.equal(await complete('h1', 'FO_PARENT', 'HISTORY', JSON.stringify({ start_date: '2030-02-01', end_date: '2030-02-02' })), 'DONE');
    const children = await queued('Dh1-');
    assert.deepEqual(children.map((c) => [c.mapref, c.requestType, c.payload.start_date, c.payload.end_date]), [
      ['FO_CHILD', 'HISTORY', '2030-02-01', '2030-02-02'],
      ['FO_SIBLING', 'HISTORY', '2030-02-01', '2030-02-02'],
    ]);
  });

  test('a failed parent queues nothing', async () => {
    assert.equal(await complete('f1', 'FO_FAILS'), 'FAILED');
    const orphans = await t.dialect.db.selectFrom('dwprcreq').select('requestId').where('mapref', '=', 'FO_ORPHAN').execute();
    assert.deepEqual(orphans, []);
  });
});
