import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

const TEST = path.resolve(import.meta.dirname, '..', '..');

/**
 * The grammar sees compiled SQL only in processes that load checkCompiledSql.ts: every test file
 * that builds Oracle SQL (it imports the Oracle dialect or kysely-oracledb) must load it, itself
 * or through oracleSqlRules.ts. The files of this folder call the grammar directly.
 */
test('every test file that compiles Oracle SQL has the grammar check on', async () => {
  const files = (await readdir(TEST, { recursive: true })).filter((f) => f.endsWith('.test.ts') && !f.startsWith(path.join('oracle', 'grammar')));
  const compiling: string[] = [];
  const unchecked: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(TEST, file), 'utf8');
    if (!/from '[./]*\/src\/db\/dialects\/oracle\w*\.js'|from 'kysely-oracledb'/.test(text)) continue;
    compiling.push(file);
    if (!/from '[./]*\/?(oracle\/)?(oracleSqlRules|grammar\/checkCompiledSql)\.js'|import '[./]*\/?(oracle\/)?grammar\/checkCompiledSql\.js'/.test(text)) unchecked.push(file);
  }
  assert.ok(compiling.length >= 15, `the scan finds the Oracle tests (${compiling.length})`);
  assert.deepEqual(unchecked, [], 'import ./grammar/checkCompiledSql.js (or use oracleSqlRules.js) in these');
});
