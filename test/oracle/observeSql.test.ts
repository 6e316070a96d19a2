import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { oracleCompiler } from '../../src/db/dialects/oracle.js';
import { queueDepthQuery } from '../../src/observe/queueDepth.js';

describe('metrics SQL on Oracle, as compiled', () => {
  test('queue depth: one GROUP BY over NEW and CLAIMED, the count aliased without an underscore', () => {
    const q = queueDepthQuery(oracleCompiler()).compile();
    assert.equal(q.sql, 'select "STATUS", count(*) "N" from "DWPRCREQ" where "STATUS" in (:1, :2) group by "STATUS"');
    assert.deepEqual(q.parameters, ['NEW', 'CLAIMED']);
  });
});
