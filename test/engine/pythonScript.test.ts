import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { flowChildScript } from '../../src/engine/python/scriptPath.js';

const ROOT = path.join(import.meta.dirname, '..', '..');
const BUILT = path.join(ROOT, 'dist', 'engine', 'python', 'scriptPath.js');

/** flowChild.py is not compiled: it must be found under tsx, from dist/, and be in the package. */
describe('Python flows: the child script ships beside its supervisor', () => {
  test('found from src/ (tsx)', () => {
    assert.equal(flowChildScript(), path.join(ROOT, 'src', 'engine', 'python', 'flowChild.py'));
  });

  test('found from dist/ after `tsc -p tsconfig.build.json`', { skip: existsSync(BUILT) ? undefined : 'dist/ not built: npm test builds it first' }, async () => {
    const built = (await import(pathToFileURL(BUILT).href)) as typeof import('../../src/engine/python/scriptPath.js');
    assert.ok(existsSync(built.flowChildScript()), built.flowChildScript());
    assert.equal(readFileSync(built.flowChildScript(), 'utf8'), readFileSync(flowChildScript(), 'utf8'));
  });

  test('package.json "files" ships it', () => {
    const files = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files;
    assert.ok(files.includes('src/engine/python/*.py'), JSON.stringify(files));
  });
});
