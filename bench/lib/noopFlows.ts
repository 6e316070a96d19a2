import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DWPRC_ROOT, ROOT } from './processes.js';

export const benchMapref = (i: number) => `BENCH_${i}`;

/**
 * Writes a flows folder for dwprc workers: one module with a no-op TypeScript flow for each of
 * `count` MAPREFs (one run per MAPREF at a time, so a drain needs many). The flow records its
 * start for the latency scenario (PARAM1 = id, PARAM2 = enqueue time) and reports row counts,
 * so that every run goes through the whole protocol: DWPRCLOG IP → PC and one DWJOBLOG row.
 * Plain .mjs importing the built dist/: workers run as in production, without a TS loader.
 */
export async function writeNoopFlows(count: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dwprc-bench-flows-'));
  const flowModule = pathToFileURL(path.join(DWPRC_ROOT, 'dist', 'engine', 'flow.js')).href;
  const recorder = pathToFileURL(path.join(ROOT, 'bench', 'children', 'recorder.mjs')).href;
  const lines = [
    `import { defineFlow } from ${JSON.stringify(flowModule)};`,
    `import { recordStart } from ${JSON.stringify(recorder)};`,
    'const run = (ctx) => {',
    '  if (ctx.params[1] !== null) recordStart(Number(ctx.params[0]), Number(ctx.params[1]));',
    '  ctx.recordCounts({ source: 0, target: 0, errors: 0 });',
    '};',
    ...Array.from({ length: count }, (_, i) => `export const flow${i} = defineFlow({ mapref: ${JSON.stringify(benchMapref(i))}, run });`),
  ];
  await writeFile(path.join(dir, 'bench-flows.mjs'), `${lines.join('\n')}\n`);
  return dir;
}
