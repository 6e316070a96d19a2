import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { openOracleTestDatabase, oracleSkipReason, type OracleTestDatabase } from '../support/database.js';
import { claimRequest, errorsOf, runsOf, setFlow } from '../support/engine.js';
import { fixtureFlow, pythonHarness, pythonWith } from '../support/python.js';
import { waitFor } from '../support/waitFor.js';

/**
 * Python flows on a real Oracle (DWPRC_TEST_ORACLE_URL) through python-oracledb in the child.
 * Skipped, with the reason, without the server or without a Python that has oracledb
 * (`pip install oracledb`; DWPRC_TEST_PYTHON names the interpreter).
 */
const python = pythonWith('oracledb');
const skip = oracleSkipReason() ?? python.skip;
const TARGET = 'DWPRC_PY_TARGET';

describe('Oracle: Python job flows (DWPRC_TEST_ORACLE_URL, python-oracledb)', { skip }, () => {
  let t: OracleTestDatabase;
  const interpreter = python.interpreter!;
  before(async () => {
    t = await openOracleTestDatabase();
    await sql`BEGIN
  EXECUTE IMMEDIATE 'CREATE TABLE ${sql.raw(TARGET)} (PRCID NUMBER(12), N NUMBER)';
EXCEPTION WHEN OTHERS THEN IF SQLCODE != -955 THEN RAISE; END IF;
END;`.execute(t.dialect.db);
    await t.clear();
    await t.clear([TARGET]);
  });
  after(() => t?.close());

  test('counts and its own row by SESSIONID (the child’s AUDSID) + PRCID: PC, one DWJOBLOG row', async () => {
    const mapref = 'PYO_COUNTS';
    await setFlow(t, mapref, fixtureFlow('oracle/counts'));
    const h = pythonHarness(t, { interpreter, path: [] });
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), h.context);
    assert.equal(outcome.status, 'DONE', outcome.result.message);
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'PC');
    assert.equal(run!.param1, 'COMPLETED');
    assert.ok(h.lines.some((l) => l.msg === `metadata session ${run!.sessionid} runs prcid ${run!.prcid}` && l.prcid === run!.prcid));
    const logs = await t.dialect.db.selectFrom('dwjoblog').select(['srcrows', 'trgrows']).where('prcid', '=', run!.prcid).execute();
    assert.deepEqual(logs.map((l) => [Number(l.srcrows), Number(l.trgrows)]), [[2, 1]]);
  });

  test('an exception: FL with its first line and the traceback in DWJOBERR', async () => {
    const mapref = 'PYO_RAISES';
    await setFlow(t, mapref, fixtureFlow('raises'));
    await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), pythonHarness(t, { interpreter, path: [] }).context);
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'FL');
    assert.equal(run!.msg, 'ValueError: bad amount in row 7');
    assert.match((await errorsOf(t, run!.prcid))[0]!.dberrmsg ?? '', /Traceback/);
  });

  test('force stop of a long sleep: ST, the tagged session ended', async () => {
    const mapref = 'PYO_SLEEP';
    await setFlow(t, mapref, fixtureFlow('sleep'));
    const h = pythonHarness(t, { interpreter, path: [] });
    const running = executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), h.context);
    await waitFor(() => h.lines.some((l) => l.msg === 'sleeping'), 'the flow to sleep');
    const [open] = await runsOf(t, mapref);
    h.kill();
    assert.equal((await running).status, 'CANCELLED');
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'ST');
    assert.notEqual(await t.dialect.endRunSession({ mapref, prcid: open!.prcid, sessionId: Number(open!.sessionid) }, 5_000), 'alive');
  });
});
