/**
 * Texts the grammar found clean, remembered across test processes and runs in
 * node_modules/.cache/dwprc-oracle-grammar/ (one empty file per text, named by its hash), so
 * that `npm test` loads and warms the parser only for SQL it has not seen parse before.
 *
 * Only clean results are kept, and the key covers the grammar's versions and the source of the
 * checker itself: a changed statement, grammar or check is parsed again, and a text with an
 * error is parsed (and reported) every time. DWPRC_TEST_GRAMMAR_CACHE=off ignores the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const DIR = path.join(ROOT, 'node_modules', '.cache', 'dwprc-oracle-grammar');
const enabled = process.env.DWPRC_TEST_GRAMMAR_CACHE !== 'off';

let identity: string | null = null;

/** The grammar packages' versions and the checker's source: what decides whether a text is clean. */
function grammarIdentity(): string {
  if (identity) return identity;
  const require = createRequire(import.meta.url);
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const checker = readFileSync(path.join(import.meta.dirname, 'oracleGrammar.ts'), 'utf8');
  identity = `${version('antlr4ts-sql')} ${version('antlr4ts')} ${createHash('sha256').update(checker).digest('hex')}`;
  return identity;
}

const fileOf = (key: string) => path.join(DIR, createHash('sha256').update(grammarIdentity()).update('\0').update(key).digest('hex'));

export function wasClean(key: string): boolean {
  return enabled && existsSync(fileOf(key));
}

export function rememberClean(key: string): void {
  if (!enabled) return;
  try {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(fileOf(key), '');
  } catch {
    // A read-only checkout only loses the speed-up.
  }
}
