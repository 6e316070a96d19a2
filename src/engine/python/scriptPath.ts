import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * flowChild.py lives in src/engine/python/ and is not compiled: beside this module under tsx,
 * and from dist/engine/python/ the package's own src/ copy (package.json "files" ships it).
 */
export function flowChildScript(): string {
  const beside = fileURLToPath(new URL('./flowChild.py', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../../src/engine/python/flowChild.py', import.meta.url));
}
