/**
 * Scenario 2 — commit budget: how many single-row UPDATE transactions per second the same server
 * takes from the same number of processes (8 connections each). A job needs at least one commit,
 * so dwprc's jobs/s ÷ this is how close it gets to what the database can do at all.
 */
import pg from 'pg';
import { perSecond, ratioText } from './lib/format.js';
import { spawnTs, type Child } from './lib/processes.js';
import type { BenchContext, ScenarioOutput, Target } from './lib/scenario.js';
import { ratio } from './lib/stats.js';
import type { ThroughputData } from './throughput.js';

export interface CommitData {
  budgets: {
    processes: number;
    connections: number;
    seconds: number;
    commitsPerSecond: number;
    dwprcJobsPerSecond: number | null;
    ratio: number | null;
    /** graphile-worker's median jobs/s of the same cell ÷ commits/s: the budget a lighter protocol reaches. */
    graphileWorkerRatio: number | null;
  }[];
}

function answer(child: Child): Promise<number> {
  return new Promise((resolve, reject) => {
    child.child.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'commits' in m) resolve((m as { commits: number }).commits);
    });
    void child.exited.then((code) => reject(new Error(`commit load exited (${code}) without an answer:\n${child.output()}`)));
  });
}

export async function commitBudget(ctx: BenchContext): Promise<ScenarioOutput<CommitData>> {
  const { durationMs, connectionsPerProcess } = ctx.sizes.commit;
  const processes = ctx.sizes.throughput.processes;
  const database = await ctx.server.createDatabase('bench_commit');
  const budgets: CommitData['budgets'] = [];
  try {
    const setup = new pg.Client({ connectionString: database.url });
    setup.on('error', () => undefined);
    await setup.connect();
    await setup.query('create table bench_commit (id integer primary key, n bigint not null default 0)');
    await setup.query('insert into bench_commit (id) select generate_series(1, $1::int)', [Math.max(...processes) * connectionsPerProcess]);
    await setup.end();
    const cells = (ctx.earlier.throughput?.data as ThroughputData | undefined)?.cells ?? [];
    for (const n of processes) {
      ctx.progress(`commit budget: ${n} × ${connectionsPerProcess} connections`);
      const children = Array.from({ length: n }, (_, i) =>
        spawnTs('commitLoad.ts', {
          BENCH_DATABASE_URL: database.url,
          BENCH_CONNECTIONS: String(connectionsPerProcess),
          BENCH_FIRST_ROW: String(1 + i * connectionsPerProcess),
          BENCH_DURATION_MS: String(durationMs),
        }),
      );
      await Promise.all(children.map((c) => c.ready));
      const answers = children.map(answer);
      for (const c of children) c.child.send('go');
      const commits = (await Promise.all(answers)).reduce((a, b) => a + b, 0);
      await Promise.all(children.map((c) => c.exited));
      const commitsPerSecond = commits / (durationMs / 1000);
      const median = (system: string) => cells.find((c) => c.system === system && c.processes === n)?.jobsPerSecond.median ?? null;
      const own = median('dwprc');
      budgets.push({
        processes: n,
        connections: connectionsPerProcess,
        seconds: durationMs / 1000,
        commitsPerSecond,
        dwprcJobsPerSecond: own,
        ratio: ratio(own, commitsPerSecond),
        graphileWorkerRatio: ratio(median('graphile-worker'), commitsPerSecond),
      });
      ctx.progress(`  ${perSecond(commitsPerSecond)} commits/s`);
    }
  } finally {
    await database.drop();
  }
  const targets: Target[] = budgets.map((b) => ({
    name: `commit budget ${b.processes}p`,
    goal: '≥ 0.30×',
    actual: ratioText(b.ratio),
    met: b.ratio === null ? null : b.ratio >= 0.3,
  }));
  return {
    data: { budgets },
    tables: [
      {
        title: '2. Commit budget: single-row UPDATE commits/s vs dwprc jobs/s',
        columns: ['processes × connections', 'commits/s', 'dwprc jobs/s', 'dwprc ÷ commits', 'graphile-worker ÷ commits'],
        rows: budgets.map((b) => [`${b.processes} × ${b.connections}`, perSecond(b.commitsPerSecond), perSecond(b.dwprcJobsPerSecond), ratioText(b.ratio), ratioText(b.graphileWorkerRatio)]),
        notes: [
          `Each connection commits UPDATE … SET n = n + 1 on its own row for ${durationMs / 1000} s after a warm-up; jobs/s from scenario 1 (medians).`,
          'graphile-worker ÷ commits: the same measure of a protocol that locks and deletes one row per job, for scale.',
        ],
      },
    ],
    targets,
  };
}
