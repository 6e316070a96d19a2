/**
 * `npm run soak -- --minutes N [--seed S]`: N minutes of schedules firing, ad-hoc requests, STOPs
 * and workers killed (SIGKILL) or stopped (SIGTERM) at random, on an embedded PostgreSQL (or
 * DWPRC_BENCH_DATABASE_URL); then the queue drains and the invariants are checked over the
 * whole history. Exit 1 if one is broken. Not part of CI.
 */
process.env.TZ = 'UTC';

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { sleep, until } from './lib/clock.js';
import { fixed } from './lib/format.js';
import { killChildren, ROOT, stopChildren, type Child } from './lib/processes.js';
import { closeOnSignal, openBenchServer } from './lib/server.js';
import { startChaos } from './soak/chaos.js';
import { insertSoakDwlogic, writeSoakFlows } from './soak/flows.js';
import { checkInvariants } from './soak/invariants.js';
import { seededRandom } from './soak/random.js';
import { disableSchedules, insertSoakSchedules, startTraffic } from './soak/traffic.js';
import { dwprcSystem, spawnDwprcWorker } from './systems/dwprc.js';

/** Short leases and backoffs, so that kills are reaped and retried within the soak. */
const WORKER_ENV = {
  DWPRC_CONCURRENCY: '4',
  DWPRC_LEASE: '3s',
  DWPRC_RETRY_BASE: '200ms',
  DWPRC_POLL: '500ms',
  DWPRC_SHUTDOWN_GRACE: '1s',
  DWPRC_TIMEZONE: 'UTC',
};

function options() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      seed: { type: 'string' },
      workers: { type: 'string', default: '3' },
      rate: { type: 'string', default: '8' },
    },
  });
  const number = (name: string, raw: string, min: number) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${raw}"`);
    return n;
  };
  return {
    minutes: number('minutes', values.minutes, 0.1),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : number('seed', values.seed, 0),
    workers: number('workers', values.workers, 1),
    rate: number('rate', values.rate, 0.1),
  };
}

async function main(): Promise<number> {
  const { minutes, seed, workers, rate } = options();
  const random = seededRandom(seed);
  const started = Date.now();
  const say = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  say(`soak: ${minutes} min, ${workers} workers × ${WORKER_ENV.DWPRC_CONCURRENCY}, ~${rate} requests/s, seed ${seed}`);
  const server = await openBenchServer();
  closeOnSignal(server, killChildren);
  const system = await dwprcSystem(server);
  const { dialect } = system;
  const live = new Set<Child>();
  const flowsDir = await writeSoakFlows();
  const env = { ...WORKER_ENV, DWPRC_FLOWS_DIR: flowsDir };
  const spawn = () => {
    const child = spawnDwprcWorker(system.url, env);
    live.add(child);
    void child.exited.then(() => live.delete(child));
    return child;
  };
  try {
    await insertSoakDwlogic(dialect);
    const today = new Date(new Date().toISOString().slice(0, 10));
    await insertSoakSchedules(dialect, today);
    for (let i = 0; i < workers; i++) spawn();

    const traffic = startTraffic(dialect, random, rate);
    const chaos = startChaos({ live: () => [...live], spawn }, random, 12_000);
    const end = started + minutes * 60_000;
    while (Date.now() < end) {
      await sleep(Math.min(30_000, end - Date.now()));
      const { rows } = await sql<{ s: string; n: number }>`select status as s, count(*)::int as n from dwprcreq group by status order by status`.execute(dialect.db);
      say(`${rows.map((r) => `${r.s} ${r.n}`).join(', ')}; killed ${chaos.counts.killed}, stopped ${chaos.counts.terminated}`);
    }
    await Promise.all([traffic.stop(), chaos.stop()]);
    await disableSchedules(dialect);
    while (live.size < workers) spawn();
    say('traffic and chaos over: draining');
    const drained = await until(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwprcreq where status in ('NEW', 'CLAIMED')`.execute(dialect.db);
      return rows[0]!.n === 0;
    }, 180_000, 500);
    if (!drained) say('the queue did not drain within 180 s');
    await stopChildren([...live]);

    const checks = await checkInvariants(dialect, traffic.inserted);
    const { rows: totals } = await sql<{ s: string; n: number }>`select status as s, count(*)::int as n from dwprclog group by status order by status`.execute(dialect.db);
    console.log(`\nrequests inserted by the soak: ${JSON.stringify(traffic.counts)}; runs: ${totals.map((r) => `${r.s} ${r.n}`).join(', ')}`);
    console.log(`workers killed: ${chaos.counts.killed}, stopped: ${chaos.counts.terminated}\n`);
    for (const c of checks) {
      const detail = c.detail ? ` (${Object.entries(c.detail).map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
      console.log(`${c.violations === 0 ? 'ok  ' : 'FAIL'}  ${c.name}${detail}${c.violations ? `: ${c.violations}` : ''}`);
      for (const e of c.examples) console.log(`        ${e}`);
    }
    const dir = path.join(ROOT, 'bench', 'results');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `soak-${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
    const minutesRun = fixed((Date.now() - started) / 60_000);
    await writeFile(file, `${JSON.stringify({ startedAt: new Date(started).toISOString(), minutes, seed, workers, rate, traffic: traffic.counts, chaos: chaos.counts, runs: totals, checks }, null, 2)}\n`);
    console.log(`\nresults: ${path.relative(process.cwd(), file)} (${minutesRun} min)`);
    return checks.every((c) => c.violations === 0) ? 0 : 1;
  } finally {
    for (const child of live) child.child.kill('SIGKILL');
    await system.close().catch(() => undefined);
    await server.close();
    await rm(flowsDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
