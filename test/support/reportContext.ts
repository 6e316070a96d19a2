import { mkdtemp } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import type { ExecutionContext } from '../../src/engine/execution.js';
import { createLogger } from '../../src/observe/logger.js';
import type { ReportRequest } from '../../src/queue/request.js';
import type { TestDatabase } from './database.js';
import { testConfig } from './testConfig.js';

/** What a report test hands runReport: its own report folder and stop/kill controllers. */
export interface ReportHarness {
  ctx: ExecutionContext;
  dir: string;
  stop: AbortController;
  kill: AbortController;
}

export async function reportHarness(t: TestDatabase): Promise<ReportHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dwprc-reports-'));
  const config: Config = { ...testConfig(t.url), reportDir: dir };
  const stop = new AbortController();
  const kill = new AbortController();
  const ctx: ExecutionContext = {
    dialect: t.dialect,
    config,
    log: createLogger({ level: 'silent', pretty: false }),
    claimedBy: 'test:1:1',
    control: { stop: stop.signal, kill: kill.signal },
  };
  return { ctx, dir, stop, kill };
}

export function reportRequest(fields: Partial<ReportRequest> & Pick<ReportRequest, 'sqlCode'>): ReportRequest {
  return { type: 'REPORT', requestId: randomUUID(), mapref: 'REPORTS', payload: {}, attempts: 1, format: 'CSV', params: [], file: null, ...fields };
}

let nextId = 1;

/** A current DWMAPRSQL row (CURFLG 'Y' unless told). */
export async function defineReport(t: TestDatabase, code: string, sqlText: string | null, curflg = 'Y'): Promise<void> {
  await t.dialect.db.insertInto('dwmaprsql').values({ dwmaprsqlid: nextId++, dwmaprsqlcd: code, dwmaprsql: sqlText, curflg }).execute();
}
