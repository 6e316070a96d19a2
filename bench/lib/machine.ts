import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './processes.js';

const versionOf = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;

/** Where and with what the figures were taken: they mean nothing without it. */
export function describeMachine(postgres: string) {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    postgres,
    versions: {
      dwprc: versionOf(ROOT),
      'graphile-worker': versionOf(path.join(ROOT, 'node_modules', 'graphile-worker')),
      'pg-boss': versionOf(path.join(ROOT, 'node_modules', 'pg-boss')),
    },
  };
}

export type Machine = ReturnType<typeof describeMachine>;
