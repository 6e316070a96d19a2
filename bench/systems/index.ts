import type { BenchServer } from '../lib/server.js';
import type { QueueSystem, SystemName } from '../lib/system.js';
import { dwprcSystem } from './dwprc.js';
import { graphileWorkerSystem } from './graphileWorker.js';
import { pgBossSystem } from './pgBoss.js';

export const createSystem: Record<SystemName, (server: BenchServer) => Promise<QueueSystem>> = {
  dwprc: dwprcSystem,
  'graphile-worker': graphileWorkerSystem,
  'pg-boss': pgBossSystem,
};
