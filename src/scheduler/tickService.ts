import type { Config } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Logger } from '../observe/logger.js';
import type { PeriodicService } from '../worker/worker.js';
import { schedulerTick } from './tick.js';

/** The scheduler as one of a worker's periodic duties: every replica ticks, none leads. */
export function schedulerService(dialect: Dialect, config: Config, zone: string, log: Logger): PeriodicService {
  const tickLog = log.child({ duty: 'scheduler' });
  return {
    name: 'scheduler tick',
    intervalMs: config.scheduler.tickMs,
    async run() {
      const result = await schedulerTick({ dialect, settings: config.scheduler, zone, log: tickLog });
      if (result.fired.length) tickLog.info({ fired: result.fired }, 'schedules fired');
    },
  };
}
