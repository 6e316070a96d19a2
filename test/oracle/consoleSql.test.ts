import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readRequestQuery } from '../../src/queue/readRequest.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';

describe('waiting and the console on Oracle, as compiled', () => {
  const d = compileOnlyOracle();

  test('dwprc wait: one DWPRCREQ row by its key', () => {
    const q = assertOracleSql(readRequestQuery(d.db, 'r-1'), { binds: ['r-1'] });
    assert.match(q.sql, /^select "REQUEST_ID", "MAPREF", .* "PROGRESS", "STOP_REQUESTED" from "DWPRCREQ" where "REQUEST_ID" = :1$/);
  });
});
