import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { oracleRunTag } from '../../src/db/dialects/oracle.js';
import { PythonChild } from '../../src/engine/python/pythonChild.js';
import '../oracle/grammar/checkCompiledSql.js';
import { assertOracleGrammar } from '../oracle/grammar/oracleGrammar.js';
import { FIXTURES, pythonWith } from '../support/python.js';

/**
 * flowChild.py's Oracle branch, which no Oracle server here can exercise: the child runs for
 * real, against a stand-in `oracledb` module (test/fixtures/python/fake-oracledb) that prints
 * what it is asked. The real driver joins in test/oracle/pythonIntegration.test.ts.
 */
const python = pythonWith('psycopg2');

describe('Python child: the Oracle branch (connect, schema, session id, tag, truncate)', { skip: python.skip }, () => {
  test('connects as given, sets CURRENT_SCHEMA, reports AUDSID, tags MODULE/ACTION/CLIENT_IDENTIFIER, truncates the upper-case target', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _e, done) {
          for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(line);
          done();
        },
      }),
    );
    const { child, sessionId } = await PythonChild.start({
      interpreter: python.interpreter!,
      path: [`${FIXTURES}/fake-oracledb`],
      connections: { metadata: { driver: 'oracledb', user: 'DWUSER', password: 'secret-pw', dsn: 'db:1521/FREEPDB1', schema: 'DW_STAGE' }, source: null, target: null },
      log,
    });
    assert.equal(sessionId, 4242);
    const exit = await child.run({
      prcid: 9,
      mapref: 'M_ORA',
      params: { prcid: 9, sessionid: 4242, mapref: 'M_ORA' },
      requestParams: {},
      tag: oracleRunTag({ mapref: 'M_ORA', prcid: 9 }),
      code: 'def execute_job(metadata, source, target, session_params):\n    print(f"tagged {metadata.client_identifier}")\n    return {"status": "SUCCESS"}\n',
      truncate: { schema: 'dw_stage', table: 'sales' },
    });
    assert.equal(exit.result?.status, 'PC', JSON.stringify(exit));
    const output = lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg);
    assert.deepEqual(output, [
      'fake-oracledb connect user=DWUSER dsn=db:1521/FREEPDB1 password_given=True',
      'fake-oracledb execute: ALTER SESSION SET CURRENT_SCHEMA = DW_STAGE',
      "fake-oracledb execute: select to_number(sys_context('USERENV', 'SESSIONID')) from dual",
      'fake-oracledb commit',
      'fake-oracledb ping with module=dwprc action=M_ORA client_identifier=9',
      'fake-oracledb execute: TRUNCATE TABLE "DW_STAGE"."SALES"',
      'fake-oracledb commit',
      'dwprc: target "DW_STAGE"."SALES" truncated before the load',
      'tagged 9',
      'fake-oracledb commit',
    ]);
    assert.ok(!lines.some((l) => l.includes('secret-pw')), 'the password reaches no log line');
    // What the child sends Oracle parses (the PlSql grammar: test/oracle/grammar/).
    for (const line of output) if (line.startsWith('fake-oracledb execute: ')) assertOracleGrammar(line.slice('fake-oracledb execute: '.length), { where: 'flowChild.py' });
  });
});
