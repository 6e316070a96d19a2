import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { foreignClaimerCheck, foreignClaimReason, foreignWaitingCheck } from '../../src/observe/foreignActivity.js';
import { countQueueDepth } from '../../src/observe/queueDepth.js';
import { queueStatus } from '../../src/observe/status.js';
import { DEFAULT_FOREIGN_RULES, foreignRulesText, isForeignRequest, parseForeignRequests } from '../../src/queue/foreignRequests.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertAsTheTool } from '../support/dmsTool.js';

describe('DWPRC_FOREIGN_REQUESTS', () => {
  test('default: the tool\'s FILE_UPLOAD rows and its report module\'s REPORT:<id> rows; "none"; custom entries', () => {
    assert.deepEqual(DEFAULT_FOREIGN_RULES, [{ type: 'FILE_UPLOAD', maprefPrefix: null }, { type: 'REPORT', maprefPrefix: 'REPORT:' }]);
    assert.deepEqual(parseForeignRequests('F', ''), DEFAULT_FOREIGN_RULES);
    assert.deepEqual(parseForeignRequests('F', ' none '), []);
    assert.deepEqual(parseForeignRequests('F', 'file_upload, export=EXP_'), [{ type: 'FILE_UPLOAD', maprefPrefix: null }, { type: 'EXPORT', maprefPrefix: 'EXP_' }]);
    assert.equal(foreignRulesText(DEFAULT_FOREIGN_RULES), 'FILE_UPLOAD,REPORT=REPORT:');
    assert.equal(foreignRulesText([]), 'none');
    assert.throws(() => parseForeignRequests('DWPRC_FOREIGN_REQUESTS', 'FILE UPLOAD'), /^UserError: DWPRC_FOREIGN_REQUESTS: "FILE UPLOAD" is not TYPE or TYPE=MAPREF_PREFIX/);
    assert.throws(() => parseForeignRequests('DWPRC_FOREIGN_REQUESTS', 'REPORT='), /the MAPREF prefix of "REPORT=" must be 1 to 100 characters/);
    assert.throws(() => parseForeignRequests('DWPRC_FOREIGN_REQUESTS', Array.from({ length: 21 }, (_, i) => `T${i}`).join(',')), /at most 20 entries, got 21/);
    assert.throws(() => loadConfig({ DWPRC_FOREIGN_REQUESTS: ',' }), /DWPRC_FOREIGN_REQUESTS: "" is not TYPE/);
    assert.equal(loadConfig({}).foreignWaitMs, 3_600_000);
  });

  test('which rows are foreign (pure): type unpadded and upper-cased, MAPREF prefix case-sensitive, a sql_code makes it dwprc\'s', () => {
    const rules = DEFAULT_FOREIGN_RULES;
    const row = (requestType: string, mapref: string, payload: string | null = '{}') => ({ requestType, mapref, payload });
    assert.equal(isForeignRequest(rules, row('FILE_UPLOAD', 'FLUPLD:abc')), true);
    assert.equal(isForeignRequest(rules, row(' file_upload\t', 'ANY')), true);
    assert.equal(isForeignRequest(rules, row('REPORT', 'REPORT:7', '{"reportId": 7}')), true);
    assert.equal(isForeignRequest(rules, row('REPORT', 'REPORT:7', null)), true);
    assert.equal(isForeignRequest(rules, row('REPORT', 'REPORT:7', '{"reportId": 7, "sql_code": "X"}')), false);
    assert.equal(isForeignRequest(rules, row('REPORT', 'report:7')), false);
    assert.equal(isForeignRequest(rules, row('REPORT', 'SALES_RPT', '{"sql_code": "SALES"}')), false);
    assert.equal(isForeignRequest(rules, row('IMMEDIATE', 'FLUPLD:abc')), false);
    assert.equal(isForeignRequest([], row('FILE_UPLOAD', 'FLUPLD:abc')), false);
  });

  test('which claims are not dwprc\'s (pure): a status dwprc never writes, a claimer id that is not a worker id, a CLAIMED row without a lease', () => {
    const group = { status: 'CLAIMED', claimedBy: 'etl-host-1:4242:c0ffee', count: 2, leased: 2, last: null };
    assert.equal(foreignClaimReason(group), null);
    assert.equal(foreignClaimReason({ ...group, status: 'DONE', leased: 0 }), null);
    assert.match(foreignClaimReason({ ...group, status: 'PROCESSING' })!, /^STATUS PROCESSING, which no dwprc worker writes/);
    assert.match(foreignClaimReason({ ...group, claimedBy: 'scheduler_service' })!, /^CLAIMED_BY scheduler_service, not a dwprc worker id/);
    assert.match(foreignClaimReason({ ...group, leased: 1 })!, /^CLAIMED without a lease/);
    assert.equal(foreignClaimReason({ ...group, status: 'NEW', claimedBy: null }), null);
  });
});

describe('requests of other services on PostgreSQL', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t?.drop());
  beforeEach(async () => {
    await sql`truncate dwprcreq, dwprclog, dwjoberr`.execute(t.dialect.db);
  });

  const toolRows = [
    { id: '0b7c6a52-1f7e-4e43-9a8f-3f2d1a1f0001', mapref: 'FLUPLD:SALES_2026', type: 'FILE_UPLOAD', payload: { flupldref: 'SALES_2026' } },
    { id: '0b7c6a52-1f7e-4e43-9a8f-3f2d1a1f0002', mapref: 'REPORT:42', type: 'REPORT', payload: { reportId: 42 } },
    { id: '0b7c6a52-1f7e-4e43-9a8f-3f2d1a1f0003', mapref: 'REPORT:43', type: 'REPORT', payload: { reportId: 43, sql_code: 'SALES' } },
    { id: '0b7c6a52-1f7e-4e43-9a8f-3f2d1a1f0004', mapref: 'SALES_FCT', type: 'IMMEDIATE', payload: {} },
  ];

  test('the claim never takes them; the SQL condition agrees with the TypeScript one row for row', async () => {
    for (const row of toolRows) await insertAsTheTool(t.dialect.db, row);
    const before = await sql`select * from dwprcreq order by request_id`.execute(t.dialect.db);
    const claimed = await t.dialect.claimRequests('w:1:abcdef', 10, 30_000);
    assert.deepEqual(claimed.map((r) => r.requestId).sort(), [toolRows[2]!.id, toolRows[3]!.id]);
    const afterClaim = await sql<{ requestId: string }>`select * from dwprcreq order by request_id`.execute(t.dialect.db);
    assert.deepEqual(afterClaim.rows.filter((r) => [toolRows[0]!.id, toolRows[1]!.id].includes(r.requestId)), before.rows.slice(0, 2), 'left exactly as they were');

    const rows = await t.dialect.db.selectFrom('dwprcreq').select(['requestId', 'requestType', 'mapref', 'payload']).select(t.dialect.foreignRequest('dwprcreq').as('foreign')).execute();
    for (const r of rows) assert.equal(r.foreign, isForeignRequest(DEFAULT_FOREIGN_RULES, r), r.requestId);
  });

  test('DWPRC_FOREIGN_REQUESTS changes which: none claims them all (to fail as unknown types), a custom prefix leaves its own', async () => {
    for (const row of toolRows) await insertAsTheTool(t.dialect.db, row);
    const custom = new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 2, foreignRequests: parseForeignRequests('F', 'IMMEDIATE=SALES_') });
    try {
      assert.deepEqual((await custom.claimRequests('w:2:abcdef', 10, 30_000)).map((r) => r.mapref).sort(), ['FLUPLD:SALES_2026', 'REPORT:42', 'REPORT:43']);
    } finally {
      await custom.close();
    }
    await sql`truncate dwprcreq`.execute(t.dialect.db);
    for (const row of toolRows) await insertAsTheTool(t.dialect.db, row);
    const none = new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 2, foreignRequests: [] });
    try {
      assert.equal((await none.claimRequests('w:3:abcdef', 10, 30_000)).length, 4);
    } finally {
      await none.close();
    }
  });

  test('status shows them apart; doctor warns when one has waited NEW too long', async () => {
    for (const row of toolRows.slice(0, 2)) await insertAsTheTool(t.dialect.db, row);
    await insertAsTheTool(t.dialect.db, toolRows[3]!);
    const status = await queueStatus(t.dialect);
    assert.deepEqual(status.depth.map((d) => [d.status, d.requestType, d.count]), [['NEW', 'IMMEDIATE', 1]]);
    assert.deepEqual(status.leftForOtherServices.map((d) => [d.requestType, d.count]), [['FILE_UPLOAD', 1], ['REPORT', 1]]);
    assert.deepEqual(await countQueueDepth(t.dialect), { NEW: 1, CLAIMED: 0 }, 'the queue-depth metric leaves them out too');

    const fresh = await foreignWaitingCheck(t.dialect, DEFAULT_FOREIGN_RULES, 3_600_000);
    assert.equal(fresh.status, 'ok', fresh.detail);
    assert.match(fresh.detail, /^2 request\(s\) left for other services \(FILE_UPLOAD,REPORT=REPORT:\) waiting, none longer than 1h 00m 00s$/);
    await sql`update dwprcreq set requested_at = localtimestamp - interval '2 hours' where request_type = 'FILE_UPLOAD'`.execute(t.dialect.db);
    const stale = await foreignWaitingCheck(t.dialect, DEFAULT_FOREIGN_RULES, 3_600_000);
    assert.equal(stale.status, 'warn');
    assert.match(stale.detail, /waited NEW longer than 1h 00m 00s: 1 FILE_UPLOAD \(oldest since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\); is the service that handles them running\?/);
  });

  test('doctor warns of another claimer: the tool\'s scheduler marking rows PROCESSING or CLAIMED without a lease; dwprc\'s own claims are fine', async () => {
    await insertAsTheTool(t.dialect.db, toolRows[3]!);
    await t.dialect.claimRequests('etl-1:99:0a1b2c', 1, 30_000);
    assert.equal((await foreignClaimerCheck(t.dialect)).status, 'ok');

    await insertAsTheTool(t.dialect.db, { ...toolRows[3]!, id: 'tool-claimed', mapref: 'OTHER' });
    await sql`update dwprcreq set status = 'PROCESSING', claimed_by = 'scheduler', claimed_at = current_timestamp where request_id = 'tool-claimed'`.execute(t.dialect.db);
    const check = await foreignClaimerCheck(t.dialect);
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /^requests are being claimed by something that is not a dwprc worker .*: 1 request\(s\) with STATUS PROCESSING, which no dwprc worker writes \(last claimed /);

    // The foreign services' own bookkeeping on their own rows is not a foreign claimer.
    await sql`delete from dwprcreq where request_id = 'tool-claimed'`.execute(t.dialect.db);
    await insertAsTheTool(t.dialect.db, toolRows[0]!);
    await sql`update dwprcreq set status = 'PROCESSING', claimed_by = 'file-upload-service', claimed_at = current_timestamp where request_type = 'FILE_UPLOAD'`.execute(t.dialect.db);
    assert.equal((await foreignClaimerCheck(t.dialect)).status, 'ok');
  });
});
