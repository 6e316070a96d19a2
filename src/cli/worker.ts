import type { Command } from 'commander';
import { loadConfig, parseDuration, parsePort, type Config } from '../config.js';
import { connect } from '../db/connect.js';
import { seedDemo } from '../db/demo.js';
import { migrate, schemaVersion } from '../db/migrate.js';
import { executeRequest } from '../engine/executeRequest.js';
import { loadFlows } from '../engine/loadFlows.js';
import { resolveBusinessZone } from '../scheduler/businessZone.js';
import { schedulerService } from '../scheduler/tickService.js';
import { UserError } from '../errors.js';
import { alertOnFailedRuns } from '../observe/alertEvents.js';
import { createAlerter } from '../observe/alerts.js';
import { startHealthServer } from '../observe/httpServer.js';
import { foreignClaimerWarning, foreignClaims } from '../observe/foreignActivity.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { foreignRulesText } from '../queue/foreignRequests.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { createMetrics } from '../observe/metrics.js';
import { createReadinessCheck } from '../observe/readiness.js';
import { createConsoleApp } from '../console/app.js';
import { consoleListener, openConsoleContext } from '../console/server.js';
import { DWPRC_VERSION } from '../version.js';
import { makeWorkerId } from '../worker/workerId.js';
import { Worker } from '../worker/worker.js';


interface WorkerCliOptions {
  concurrency?: string;
  id?: string;
  poll?: string;
  http?: string;
  demo?: boolean;
}

function withOverrides(config: Config, options: WorkerCliOptions): Config {
  const worker = { ...config.worker };
  if (options.concurrency !== undefined) {
    const n = Number(options.concurrency);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`--concurrency must be a whole number ≥ 1, got "${options.concurrency}"`, 2);
    worker.concurrency = n;
  }
  if (options.poll !== undefined) worker.pollMs = parseDuration('--poll', options.poll);
  // Each slot holds a connection while it runs; leave room for claims, heartbeats and the tick.
  return { ...config, worker, poolMax: Math.max(config.poolMax, worker.concurrency + 4) };
}

/**
 * One replica until SIGTERM/SIGINT: the first signal drains gracefully within
 * DWPRC_SHUTDOWN_GRACE, a second one stops running flows at once.
 */
export async function runWorker(options: WorkerCliOptions): Promise<void> {
  const config = withOverrides(loadConfig(), options);
  const log = createLogger();
  const workerId = makeWorkerId(options.id);
  const connection = await connect(config, `dwprc:${workerId}`);
  const { dialect } = connection;
  try {
    if (connection.embedded) {
      await migrate(dialect, config.tablePrefix);
      log.info({ home: config.database.kind === 'embedded' ? config.database.home : undefined }, 'embedded PostgreSQL ready');
      if (options.demo && (await seedDemo(dialect))) log.info('demo job flow DEMO_SALES and its schedule seeded');
    } else {
      const { expected, applied } = await schemaVersion(dialect, config.tablePrefix);
      if (applied === null || applied < expected) {
        throw new UserError(`schema version ${applied ?? 'none'}, expected ${expected}: run dwprc db migrate first`);
      }
    }
    // Both fail at start, not at the first request: two flows for one MAPREF, an unusable zone.
    const flows = await loadFlows(config.flowsDir, log);
    const zone = await resolveBusinessZone(config, dialect);
    log.info({ zone, flows: [...flows.keys()] }, 'business time zone and TypeScript flows');
    await warnOfOtherClaimers(dialect, config, log);
    // The engine computes "today" in the zone resolved here, once, as the scheduler does: asking
    // the database for its session zone at every run cost a round trip per request.
    const engineConfig: Config = { ...config, timeZone: zone };
    const metrics = createMetrics(dialect, { log });
    const alerter = config.alertWebhook ? createAlerter({ url: config.alertWebhook, log, worker: workerId }) : null;
    const execute = alerter ? alertOnFailedRuns(executeRequest, alerter) : executeRequest;
    const services = [schedulerService({ dialect, config, zone, log, metrics, alerter })];
    const worker = new Worker({ dialect, config: engineConfig, log, execute, flows, workerId, version: DWPRC_VERSION, services, metrics, alerter });
    const port = options.http !== undefined ? parsePort('--http', options.http) : config.httpPort;
    const databaseReady = createReadinessCheck({ dialect, tablePrefix: config.tablePrefix });
    let stopping = false;
    const consoleApp = port === null ? null : createConsoleApp(await openConsoleContext(dialect, engineConfig, log, flows), { token: config.consoleToken });
    const http =
      port === null
        ? null
        : await startHealthServer({
            port,
            metrics: metrics.registry,
            log,
            ready: () => (stopping ? Promise.resolve({ ready: false, reason: 'shutting down' }) : databaseReady()),
            // The health port listens on every interface for Prometheus; the pages then need the token.
            fallback: consoleListener(consoleApp!, { loopbackOnly: !config.consoleToken }),
          });
    await worker.start();
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals === 1) {
          stopping = true;
          log.info({ signal }, 'signal received: finishing running work (send again to stop it now)');
          worker.shutdown().then(resolve, resolve);
        } else {
          log.warn({ signal }, 'second signal: stopping running flows now');
          worker.kill({ kind: 'shutdown' });
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    await alerter?.close(5000);
    consoleApp?.close();
    await http?.close();
  } finally {
    await connection.close();
  }
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker replica: claim and execute requests, fire schedules, reap lost leases')
    .option('--concurrency <n>', 'slots: requests run at once (DWPRC_CONCURRENCY, default 4)')
    .option('--id <name>', 'name shown in CLAIMED_BY (default host:pid), a random suffix is added')
    .option('--poll <duration>', 'idle poll interval, e.g. 1s (DWPRC_POLL)')
    .option('--http <port>', 'serve /healthz, /readyz, /metrics and the web console on this port (DWPRC_HTTP_PORT)')
    .option('--demo', 'on the embedded database, seed the demo flow and schedule')
    .action(runWorker);
}

/** Start-up: the tool's own scheduler left running beside dwprc claims the same rows; say so loudly. */
async function warnOfOtherClaimers(dialect: Dialect, config: Config, log: Logger): Promise<void> {
  try {
    const warning = foreignClaimerWarning(await foreignClaims(dialect));
    if (warning) log.warn(warning);
    log.info({ foreignRequests: foreignRulesText(config.foreignRequests) }, 'requests left for other services');
  } catch (error) {
    log.warn({ err: error }, 'could not check for other claimers of the queue');
  }
}
