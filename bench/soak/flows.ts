import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { insertFlows, sleepingBlock } from '../../test/support/flows.js';
import { ROOT } from '../lib/processes.js';

export const TS_MAPREFS = Array.from({ length: 24 }, (_, i) => `SOAK_TS_${i}`);
export const DWLOGIC_MAPREFS = Array.from({ length: 8 }, (_, i) => `SOAK_DL_${i}`);

/**
 * TypeScript flows that work for 50 ms to 1.5 s, stopping at their signal, report counts and
 * fail now and then; written as .mjs against dist/ (workers run as in production).
 */
export async function writeSoakFlows(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dwprc-soak-flows-'));
  const flowModule = pathToFileURL(path.join(ROOT, 'dist', 'engine', 'flow.js')).href;
  const lines = [
    `import { defineFlow } from ${JSON.stringify(flowModule)};`,
    'const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));',
    'const run = async (ctx) => {',
    '  const until = Date.now() + 50 + Math.floor(Math.random() * 1450);',
    '  while (Date.now() < until) {',
    '    if (ctx.signal.aborted) return;',
    '    await pause(25);',
    '  }',
    '  ctx.recordCounts({ source: 1, target: 1 });',
    "  if (Math.random() < 0.05) throw new Error('soak: planned failure');",
    '};',
    ...TS_MAPREFS.map((mapref, i) => `export const flow${i} = defineFlow({ mapref: ${JSON.stringify(mapref)}, run });`),
  ];
  await writeFile(path.join(dir, 'soak-flows.mjs'), `${lines.join('\n')}\n`);
  return dir;
}

/** DWLOGIC blocks (PL/pgSQL) that sleep well under the lease, so a killed worker's backend is done before its run is reaped. */
export async function insertSoakDwlogic(dialect: PostgresDialect): Promise<void> {
  await insertFlows(dialect, DWLOGIC_MAPREFS.map((mapref, i) => ({ mapref, dwlogic: sleepingBlock(mapref, 0.1 + (i % 4) * 0.2) })));
}
