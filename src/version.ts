import { readFileSync } from 'node:fs';

/** This dwprc's version (package.json); the same relative path from src/ and dist/. */
export const DWPRC_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
