import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import oracledb from 'oracledb';
import { END_RUN_SESSION_BLOCK, endOracleRunSession } from '../../src/db/dialects/oracleEndRunSession.js';
import './grammar/checkCompiledSql.js';

/** A connection that records what it is asked and answers with `reply`. */
function connection(reply: () => unknown) {
  const calls: unknown[][] = [];
  let closed = 0;
  return {
    calls,
    closed: () => closed,
    get: async () => ({
      execute: async (...args: unknown[]) => {
        calls.push(args);
        return reply() as never;
      },
      close: async () => {
        closed += 1;
      },
    }),
  };
}

describe('reaper fencing on Oracle: ending the session of a reaped run', () => {
  test('finds the session by AUDSID and its tags, kills it IMMEDIATE, every value bound', async () => {
    const c = connection(() => ({ outBinds: { killed: 1 } }));
    assert.equal(await endOracleRunSession(c.get, { sessionId: 880_123, mapref: 'SALES_FCT', prcid: 4711 }), 'ended');
    assert.equal(c.calls.length, 1);
    const [text, binds, options] = c.calls[0]!;
    assert.equal(text, END_RUN_SESSION_BLOCK);
    assert.match(END_RUN_SESSION_BLOCK, /FROM V\$SESSION\s+WHERE AUDSID = :sessionid AND MODULE = 'dwprc' AND CLIENT_IDENTIFIER = :prcid/);
    assert.match(END_RUN_SESSION_BLOCK, /ALTER SYSTEM KILL SESSION ''' \|\| s\.SID \|\| ',' \|\| s\.SERIALNO \|\| ''' IMMEDIATE/);
    assert.match(END_RUN_SESSION_BLOCK, /IF SQLCODE != -30 THEN RAISE; END IF;/, 'a session that ended meanwhile is not an error');
    assert.deepEqual(binds, { sessionid: 880_123, prcid: '4711', killed: { dir: oracledb.BIND_OUT, type: oracledb.NUMBER } });
    assert.deepEqual(options, { autoCommit: false });
    assert.equal(c.closed(), 1, 'the pooled connection goes back');
  });

  test('no tagged session left: none; missing grants: unknown; anything else is an error', async () => {
    assert.equal(await endOracleRunSession(connection(() => ({ outBinds: { killed: 0 } })).get, { sessionId: 1, mapref: 'M', prcid: 2 }), 'none');
    for (const code of ['ORA-06550', 'ORA-01031']) {
      const c = connection(() => {
        throw Object.assign(new Error(code), { code });
      });
      assert.equal(await endOracleRunSession(c.get, { sessionId: 1, mapref: 'M', prcid: 2 }), 'unknown', code);
      assert.equal(c.closed(), 1);
    }
    const down = connection(() => {
      throw Object.assign(new Error('NJS-500: connection to the Oracle Database was broken'), { code: 'NJS-500' });
    });
    await assert.rejects(endOracleRunSession(down.get, { sessionId: 1, mapref: 'M', prcid: 2 }), /NJS-500/);
    assert.equal(down.closed(), 1);
  });
});
