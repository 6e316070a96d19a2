/**
 * `npm run bench [-- --quick] [--repeat N] [--only <scenario>[,…]] [--systems <system>[,…]]`: starts an embedded
 * PostgreSQL (or uses DWPRC_BENCH_DATABASE_URL), runs the scenarios in order, prints their
 * tables and writes bench/results/<time>.json (a full run also writes latest.json and latest.md).
 * --repeat N drains each throughput cell N times, the systems taking turns, and reports medians and ranges.
 * BENCH_DWPRC_ROOT=<another built checkout> runs the dwprc workers from there: before/after.
 */
process.env.TZ = 'UTC';

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { claimCost } from './claimCost.js';
import { commitBudget } from './commitBudget.js';
import { markdownTable, targetTable, textTable } from './lib/format.js';
import { describeMachine } from './lib/machine.js';
import { DWPRC_ROOT, killChildren, ROOT } from './lib/processes.js';
import { SCENARIOS, type BenchContext, type Scenario, type ScenarioName, type ScenarioOutput } from './lib/scenario.js';
import { closeOnSignal, openBenchServer } from './lib/server.js';
import { FULL, QUICK } from './lib/sizes.js';
import { SYSTEMS, type SystemName } from './lib/system.js';
import { latency } from './latency.js';
import { memory } from './memory.js';
import { pythonFlow } from './pythonFlow.js';
import { scheduleBurst } from './scheduleBurst.js';
import { throughput } from './throughput.js';

const RUN: Record<ScenarioName, Scenario> = {
  throughput,
  commit: commitBudget,
  latency,
  claim: claimCost,
  schedule: scheduleBurst,
  memory,
  python: pythonFlow,
};

function options() {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true }, systems: { type: 'string' }, repeat: { type: 'string', default: '1' } },
  });
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat: ${values.repeat} is not a whole number of runs ≥ 1`);
  const only = (values.only ?? []).flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
  const unknown = only.filter((o) => !SCENARIOS.includes(o as ScenarioName));
  if (unknown.length) throw new Error(`--only: unknown scenario ${unknown.join(', ')} (one of ${SCENARIOS.join(', ')})`);
  const systems = values.systems ? values.systems.split(',').map((s) => s.trim()) : [...SYSTEMS];
  const unknownSystem = systems.filter((s) => !SYSTEMS.includes(s as SystemName));
  if (unknownSystem.length) throw new Error(`--systems: unknown ${unknownSystem.join(', ')} (one of ${SYSTEMS.join(', ')})`);
  return {
    quick: values.quick,
    only: only.length ? SCENARIOS.filter((s) => only.includes(s)) : [...SCENARIOS],
    systems: systems as SystemName[],
    repeat,
  };
}

async function main(): Promise<number> {
  const { quick, only, systems, repeat } = options();
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  const started = Date.now();
  const server = await openBenchServer();
  closeOnSignal(server, killChildren);
  const outputs: Partial<Record<ScenarioName, ScenarioOutput>> = {};
  const failures: Partial<Record<ScenarioName, string>> = {};
  let machine;
  try {
    machine = describeMachine(await server.version());
    console.log(`dwprc bench${quick ? ' (quick: smaller counts, figures are not results)' : ''}: ${machine.cpus} × ${machine.cpuModel}, PostgreSQL ${machine.postgres}, Node ${machine.node}`);
    if (DWPRC_ROOT !== ROOT) console.log(`dwprc workers from ${DWPRC_ROOT}`);
    const ctx: BenchContext = {
      server,
      sizes: quick ? QUICK : FULL,
      systems,
      repeat,
      earlier: outputs,
      progress: (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`),
    };
    for (const name of only) {
      try {
        outputs[name] = await RUN[name](ctx);
        for (const table of outputs[name]!.tables) console.log(`\n${textTable(table)}\n`);
      } catch (error) {
        failures[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.error(`scenario ${name} failed: ${failures[name]}`);
      }
    }
  } finally {
    await server.close();
  }
  const targets = Object.values(outputs).flatMap((o) => o.targets);
  if (targets.length) console.log(`\n${textTable(targetTable(targets))}\n`);
  const seconds = Math.round((Date.now() - started) / 1000);
  const result = { startedAt: new Date(started).toISOString(), seconds, quick, repeat, scenarios: only, dwprcWorkers: DWPRC_ROOT, machine, results: outputs, targets, failures };
  const dir = path.join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${quick ? 'quick-' : ''}${stamp}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), file)} (${seconds} s)`);
  if (!quick && only.length === SCENARIOS.length && systems.length === SYSTEMS.length && DWPRC_ROOT === ROOT) {
    await writeFile(path.join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    const tables = [...Object.values(outputs).flatMap((o) => o.tables), targetTable(targets)];
    const command = `npm run bench${repeat > 1 ? ` -- --repeat ${repeat}` : ''}`;
    const header = [`# dwprc bench, ${result.startedAt}`, '', `\`${command}\`, ${seconds} s. ${machineLine(machine)}`, ''];
    await writeFile(path.join(dir, 'latest.md'), `${[...header, ...tables.map((t) => `${markdownTable(t)}\n`)].join('\n')}`);
    console.log('latest.json and latest.md updated');
  }
  return Object.keys(failures).length ? 1 : 0;
}

function machineLine(machine: ReturnType<typeof describeMachine> | undefined): string {
  if (!machine) return '';
  const v = machine.versions;
  return `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; PostgreSQL ${machine.postgres} (embedded); dwprc ${v.dwprc}, graphile-worker ${v['graphile-worker']}, pg-boss ${v['pg-boss']}; load average at start ${machine.loadAverageAtStart.join(' ')}.`;
}

process.exitCode = await main();
