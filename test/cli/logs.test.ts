import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { executeRequest } from '../../src/engine/executeRequest.js';
import type { RunListing } from '../../src/engine/listRuns.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/cli.js';
import { claimRequest, dwlogic, harness, runsOf, setFlow } from '../support/engine.js';

describe('dwprc logs', () => {
  let t: TestDatabase;
  const mapref = 'LOGS_M';
  let prcids: number[];

  before(async () => {
    t = await createTestDatabase();
    const ok = dwlogic(
      mapref,
      `  CALL pkgdwprc.create_job_log(v_joblogid, v_sessionid, v_prcid, localtimestamp(0)::timestamp, '${mapref}', v_jobid, 10, 8, 2);
  v_joblogid := null;
  CALL pkgdwprc.create_job_log(v_joblogid, v_sessionid, v_prcid, localtimestamp(0)::timestamp, '${mapref}', v_jobid, 1, 1, 0);
  CALL pkgdwprc.log_job_error(null, v_sessionid, v_prcid, localtimestamp(0)::timestamp, v_jobid, '${mapref}', 'ERR', null, 'row 9 rejected', 'ID=9');
  CALL pkgdwprc.log_job_error(null, v_sessionid, v_prcid, localtimestamp(0)::timestamp, v_jobid, '${mapref}', 'WRN', null, 'row 12 trimmed', 'ID=12');`,
    );
    await setFlow(t, mapref, ok);
    await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref, { param1: '01-Jan-2027' }), harness(t).context);
    await setFlow(t, mapref, dwlogic(mapref, `  RAISE EXCEPTION 'target locked';`));
    await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref, { param1: '02-Jan-2027', param2: 'B' }), harness(t).context);
    await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    prcids = (await runsOf(t, mapref)).map((r) => r.prcid);
    // A run of another MAPREF is not listed.
    await setFlow(t, 'OTHER', dwlogic('OTHER', '  NULL;'));
    await executeRequest(await claimRequest(t, 'IMMEDIATE', 'OTHER'), harness(t).context);
  });
  after(() => t.drop());

  test('--json: newest first, counts and errors joined per PRCID, --last limits', async () => {
    const r = await runCli(['logs', mapref, '--json', '--last', '2'], { DWPRC_DATABASE_URL: t.url });
    assert.equal(r.code, 0, r.stderr);
    const runs = JSON.parse(r.stdout) as RunListing[];
    assert.deepEqual(runs.map((x) => x.prcid), [prcids[2], prcids[1]]);
    const failed = runs[1]!;
    assert.equal(failed.status, 'FL');
    assert.deepEqual(failed.params, { param1: '02-Jan-2027', param2: 'B' });
    assert.equal(failed.rows, null);
    assert.equal(failed.errorCount, 1);
    assert.equal(failed.lastError, 'target locked');
    assert.equal(failed.message, 'target locked');
    assert.match(failed.start!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.ok(failed.durationSeconds !== null && failed.durationSeconds >= 0);

    const all = JSON.parse((await runCli(['logs', mapref, '--json'], { DWPRC_DATABASE_URL: t.url })).stdout) as RunListing[];
    assert.equal(all.length, 3);
    const loaded = all[2]!;
    assert.equal(loaded.status, 'PC');
    assert.deepEqual(loaded.rows, { source: 11, target: 9, errors: 2 });
    assert.equal(loaded.errorCount, 2);
    assert.equal(loaded.lastError, 'row 12 trimmed');
    assert.equal(loaded.message, 'row 9 rejected');
  });

  test('a table for humans; bad --last is a usage error', async () => {
    const r = await runCli(['logs', mapref], { DWPRC_DATABASE_URL: t.url });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^PRCID\s+STATUS\s+START\s+END\s+DURATION\s+PARAMS\s+SRC\/TRG\/ERR\s+ERRORS\s+LAST ERROR\s+MSG$/);
    assert.equal(lines.length, 4);
    assert.match(lines[3]!, new RegExp(`^${prcids[0]}\\s+PC\\s.*param1=01-Jan-2027\\s+11/9/2\\s+2\\s+row 12 trimmed\\s+row 9 rejected$`));
    const none = await runCli(['logs', 'NOBODY'], { DWPRC_DATABASE_URL: t.url });
    assert.equal(none.stdout.trim(), 'no runs of NOBODY in DWPRCLOG');
    const bad = await runCli(['logs', mapref, '--last', '0'], { DWPRC_DATABASE_URL: t.url });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim(), 'dwprc: --last must be a whole number from 1 to 1000, got "0"');
  });
});
