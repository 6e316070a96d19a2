import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../../src/config.js';
import { runDoctor, type Check } from '../../src/observe/doctor.js';
import { DWPRC_VERSION } from '../../src/version.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const SECOND = 1000;

describe('dwprc doctor: workers, leases, open runs, legacy scheduler', () => {
  let t: TestDatabase;
  let config: Config;
  const check = async (name: string): Promise<Check> => {
    const report = await runDoctor(t.dialect, config);
    const found = report.checks.find((c) => c.name === name);
    assert.ok(found, `check ${name} in ${report.checks.map((c) => c.name).join(', ')}`);
    return found;
  };
  const worker = (workerId: string, heartbeatAgoMs: number, version = DWPRC_VERSION) =>
    t.dialect.db
      .insertInto('dwprcwrk')
      .values({ workerId, host: 'etl1', pid: 7, version, concurrency: 4, running: 1, startedAt: t.dialect.utcNowPlus(-heartbeatAgoMs), heartbeatAt: t.dialect.utcNowPlus(-heartbeatAgoMs) })
      .execute();
  // One CLAIMED run per MAPREF (the database enforces it): each request its own MAPREF.
  const claimed = (requestId: string, leaseInMs: number | null, prcid: number | null = null) =>
    t.dialect.db
      .insertInto('dwprcreq')
      .values({
        requestId, mapref: `M-${requestId}`, requestType: 'IMMEDIATE', status: 'CLAIMED', claimedBy: 'etl1:7:a', claimedAt: t.dialect.localNow(), prcid,
        leaseExpiresAt: leaseInMs === null ? null : t.dialect.utcNowPlus(leaseInMs),
      })
      .execute();
  const ipRun = (prcid: number, mapref = 'M1') =>
    t.dialect.db.insertInto('dwprclog').values({ prcid, mapref, status: 'IP', strtdt: t.dialect.localNowPlus(-60 * SECOND), sessionid: 99 }).execute();

  before(async () => {
    t = await createTestDatabase();
    config = loadConfig({ DWPRC_DATABASE_URL: t.url, DWPRC_LEASE: '30s' });
  });
  after(() => t.drop());
  beforeEach(async () => {
    await sql`truncate dwprcwrk, dwprcreq, dwprclog`.execute(t.dialect.db);
  });

  test('a quiet database: healthy, with a warning that no worker is alive; the checks in order', async () => {
    const report = await runDoctor(t.dialect, config);
    assert.equal(report.healthy, true, 'warnings do not make it unhealthy');
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.status]),
      [
        ['connect', 'ok'], ['versions', 'ok'], ['clock', 'ok'], ['time zone', 'ok'], ['schema version', 'ok'], ['tables', 'ok'], ['columns', 'ok'],
        ['schema drift', 'ok'], ['current schedules', 'ok'], ['legacy scheduler', 'ok'], ['workers', 'warn'], ['leases', 'ok'], ['open runs', 'ok'],
        ['other services', 'ok'], ['other claimers', 'ok'], ['python', 'ok'],
      ],
    );
    assert.equal(report.checks[1]!.detail, `dwprc ${DWPRC_VERSION} on Node ${process.version}`);
    assert.equal(
      report.checks.find((c) => c.name === 'workers')!.detail,
      'no live worker (no DWPRCWRK heartbeat in the last 1m 30s): nothing claims requests or fires schedules; start one with dwprc worker',
    );
    assert.equal(report.checks.find((c) => c.name === 'legacy scheduler')!.fix, undefined, 'PostgreSQL has no DBMS_SCHEDULER: nothing to disable');
  });

  test('workers: a fresh heartbeat is alive, one older than three leases is not; mixed versions warn', async () => {
    await worker('dead:1:x', 100 * SECOND);
    assert.equal((await check('workers')).status, 'warn');
    await worker('etl1:7:a', 2 * SECOND);
    const ok = await check('workers');
    assert.deepEqual([ok.status, ok.detail], ['ok', `1 live: etl1:7:a (dwprc ${DWPRC_VERSION}, 1/4 busy)`]);
    await worker('etl2:8:b', 2 * SECOND, '0.0.9');
    const mixed = await check('workers');
    assert.equal(mixed.status, 'warn');
    assert.match(mixed.detail, new RegExp(`^2 live, running different dwprc versions \\(${DWPRC_VERSION.replace(/\./g, '\\.')}, 0\\.0\\.9\\): finish the upgrade; `));
  });

  test('leases: expired for longer than a lease, or none at all, warn with the request ids; a lease just lapsed is the reapers\' business', async () => {
    await claimed('R-FRESH', 20 * SECOND);
    await claimed('R-LAPSING', -10 * SECOND);
    assert.equal((await check('leases')).status, 'ok');
    await claimed('R-STUCK', -120 * SECOND);
    await claimed('R-LEASELESS', null);
    const stuck = await check('leases');
    assert.equal(stuck.status, 'warn');
    assert.equal(
      stuck.detail,
      '1 CLAIMED request(s) with a lease expired more than 30 s ago: R-STUCK (M-R-STUCK, etl1:7:a); reapers should have taken them: is any worker running, with the same DWPRC_LEASE?; ' +
        '1 CLAIMED request(s) without a lease, claimed by another tool: R-LEASELESS (M-R-LEASELESS, etl1:7:a); no reaper takes them, and while one runs nothing else of its MAPREF does: set them FAILED (or NEW) by hand once nothing runs them',
    );
  });

  test('open runs: IP rows whose PRCID no CLAIMED request holds warn with their PRCIDs', async () => {
    await ipRun(501);
    await claimed('R-HOLDS', 20 * SECOND, 501);
    assert.equal((await check('open runs')).status, 'ok');
    await ipRun(502, 'M2');
    await ipRun(503, 'M3');
    // A request that is done no longer holds its run.
    await t.dialect.db.insertInto('dwprcreq').values({ requestId: 'R-DONE', mapref: 'M3', requestType: 'IMMEDIATE', status: 'DONE', prcid: 503 }).execute();
    const open = await check('open runs');
    assert.equal(open.status, 'warn');
    assert.match(open.detail, /^2 DWPRCLOG row\(s\) in IP that no CLAIMED request holds: PRCID 502 \(M2, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\), PRCID 503 \(M3, since .*\); no dwprc worker runs them /);
  });

  test('a check that cannot run warns with the reason instead of failing the report', async () => {
    const other = await createTestDatabase();
    try {
      await sql`drop table dwprcwrk`.execute(other.dialect.db);
      const report = await runDoctor(other.dialect, { ...config, database: { kind: 'postgres', url: other.url } });
      const workers = report.checks.find((c) => c.name === 'workers')!;
      assert.equal(workers.status, 'warn');
      assert.match(workers.detail, /^could not check: relation "dwprcwrk" does not exist/);
      assert.equal(report.healthy, true);
    } finally {
      await other.drop();
    }
  });
});
