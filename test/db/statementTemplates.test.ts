import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { StatementTemplates } from '../../src/db/statementTemplates.js';

// Compiles only: no database needed to see the text and the parameters.
const db = new Kysely<{ t: { a: string; b: number | null; c: string } }>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const update = (a: string, b: number | null, c: string) =>
  db.updateTable('t').set({ a, b }).where('c', '=', c).where('a', '<>', a).where('c', '<>', 'constant').compile();

describe('StatementTemplates', () => {
  test('each use gets the text of a direct build and its own values, in every place a value is used', () => {
    const templates = new StatementTemplates();
    let builds = 0;
    const compile = (a: string, b: number | null, c: string) =>
      templates.compile('update', [a, b, c], ([ma, mb, mc]) => {
        builds += 1;
        return update(ma, mb, mc);
      });
    for (const [a, b, c] of [['x', 1, 'k'], ['y', null, 'l'], ['~dwprc-bind-0~', 3, 'm']] as const) {
      const direct = update(a, b, c);
      const templated = compile(a, b, c);
      assert.equal(templated.sql, direct.sql);
      assert.deepEqual(templated.parameters, direct.parameters);
    }
    assert.equal(builds, 1, 'built once');
  });

  test('shapes are kept apart', () => {
    const templates = new StatementTemplates();
    const one = templates.compile('one', [1], ([v]) => sql`select ${v} as v`.compile(db));
    const two = templates.compile('two', [1, 2], ([v, w]) => sql`select ${v} + ${w} as v`.compile(db));
    assert.notEqual(one.sql, two.sql);
    assert.deepEqual(two.parameters, [1, 2]);
  });

  test('a value that is not passed on as a bind parameter of its own is refused at the first use', () => {
    const templates = new StatementTemplates();
    assert.throws(() => templates.compile('changed', ['a'], ([v]) => sql`select ${String(v).toUpperCase()} as v`.compile(db)), /values ~dwprc-bind-0~ are not bind parameters/);
    assert.throws(() => templates.compile('dropped', ['a', 'b'], ([v]) => sql`select ${v} as v`.compile(db)), /values ~dwprc-bind-1~ are not bind parameters/);
    assert.throws(() => templates.compile('in the text', ['a'], ([v]) => sql`select ${sql.lit(v)}, ${v} as v`.compile(db)), /in the text/);
  });
});
