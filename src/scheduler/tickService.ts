import type { Config } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { misfireSkippedAlert } from '../observe/alertEvents.js';
import type { Alerter } from '../observe/alerts.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import type { PeriodicService } from '../worker/worker.js';
import { schedulerTick } from './tick.js';

export interface SchedulerServiceDeps {
  dialect: Dialect;
  config: Config;
  zone: string;
  log: Logger;
  metrics?: Metrics;
  alerter?: Alerter | null;
}

/** The scheduler as one of a worker's periodic duties: every replica ticks, none leads. */
export function schedulerService({ dialect, config, zone, log, metrics, alerter }: SchedulerServiceDeps): PeriodicService {
  const tickLog = log.child({ duty: 'scheduler' });
  return {
    name: 'scheduler tick',
    intervalMs: config.scheduler.tickMs,
    async run() {
      const result = await schedulerTick({ dialect, settings: config.scheduler, zone, log: tickLog });
      if (result.fired.length) tickLog.info({ fired: result.fired }, 'schedules fired');
      if (result.lagMs !== null) metrics?.tickLag(result.lagMs / 1000);
      for (const m of result.misfires) alerter?.send(misfireSkippedAlert({ ...m, policy: config.scheduler.misfire }));
      // A schedule due before the next regular tick is fired at its moment, not up to a tick late.
      return result.nextDueInMs;
    },
  };
}
