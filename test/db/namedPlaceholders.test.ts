import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toPositionalBinds } from '../../src/db/dialects/namedPlaceholders.js';

describe(':name → $n for PostgreSQL report SQL (pure)', () => {
  test('each name gets one position, in order of first use; repeats reuse it; names are case-insensitive', () => {
    const q = toPositionalBinds('select * from t where a = :From and b < :to and c > :FROM', { from: 1, TO: 'x' });
    assert.deepEqual(q, { text: 'select * from t where a = $1 and b < $2 and c > $1', values: [1, 'x'] });
  });

  test('casts, string literals, quoted identifiers, dollar quotes and comments are left alone', () => {
    const sql = [
      "select :a::int, ':b', E'\\':c', 'it''s :d', \"col:e\", $$ :f $$, $tag$ :g $tag$, x::text -- :h",
      '  from t /* :i /* nested :j */ :k */ where y = :z',
    ].join('\n');
    const q = toPositionalBinds(sql, { a: 1, z: 2 });
    assert.equal(
      q.text,
      [
        "select $1::int, ':b', E'\\':c', 'it''s :d', \"col:e\", $$ :f $$, $tag$ :g $tag$, x::text -- :h",
        '  from t /* :i /* nested :j */ :k */ where y = $2',
      ].join('\n'),
    );
    assert.deepEqual(q.values, [1, 2]);
  });

  test('array slices and identifiers with $ are not placeholders', () => {
    const q = toPositionalBinds('select arr[1:2], arr[lo:hi], a$b from t where v = :v', { v: 3 });
    assert.equal(q.text, 'select arr[1:2], arr[lo:hi], a$b from t where v = $1');
  });

  test('a value stays a value: nothing of it reaches the SQL text', () => {
    const evil = "x'; drop table dwmaprsql; --";
    const q = toPositionalBinds('select :v as v', { v: evil });
    assert.equal(q.text, 'select $1 as v');
    assert.deepEqual(q.values, [evil]);
  });

  test('a missing, unused or twice-given name and a $n mixed in are refused with one line', () => {
    assert.throws(() => toPositionalBinds('select :a, :b', { a: 1 }), /^UserError: report SQL uses :b but params has no "b"$/);
    assert.throws(() => toPositionalBinds('select :a', { a: 1, extra: 2 }), /^UserError: no bind placeholder named ":extra" was found in the report SQL$/);
    assert.throws(() => toPositionalBinds('select :a', { a: 1, A: 2 }), /params has both "a" and "A"/);
    assert.throws(() => toPositionalBinds('select :a, $1', { a: 1 }), /mixes \$n and :name/);
  });
});
