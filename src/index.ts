/**
 * dwprc as a library: the operations the CLI performs, for embedding in another Node service.
 * Run processes with TZ=UTC (the CLI sets it itself): dates are bound as wall-clock values.
 *
 *   const dw = await openDwprc();            // reads DWPRC_* from the environment
 *   await enqueue(dw.dialect, { type: 'IMMEDIATE', mapref: 'SALES', payload: { param1: '2027-01-31' } });
 *   await dw.close();
 */
import { loadConfig, type Config } from './config.js';
import { connect, type Connection } from './db/connect.js';

export { loadConfig, type Config } from './config.js';
export { UserError } from './errors.js';
export { connect, type Connection } from './db/connect.js';
export type { Dialect } from './db/dialects/dialect.js';
export { migrate, schemaVersion } from './db/migrate.js';

// Queue operations.
export { enqueue, type EnqueueInput } from './queue/enqueue.js';
export { cancelRequest, retryRequest } from './queue/cancelRequest.js';
export { parseRequest } from './queue/parseRequest.js';
export type { ParsedRequest, RequestType } from './queue/request.js';

// Schedules: the pure rules and the database operations.
export { nextOccurrence, occurrenceAtOrAfter, occurrences, parseSchedule, type FrequencyRule, type ScheduleFields } from './schedule/index.js';
export { saveSchedule, type ScheduleInput } from './scheduler/saveSchedule.js';
export { setScheduleEnabled } from './scheduler/setScheduleEnabled.js';
export { linkDependency } from './scheduler/linkDependency.js';
export { listSchedules } from './scheduler/listSchedules.js';
export { resolveBusinessZone } from './scheduler/businessZone.js';

// TypeScript flows and the engine.
export { defineFlow, type DefinedFlow, type FlowContext, type FlowDefinition } from './engine/flow.js';
export { loadFlows, type FlowRegistry } from './engine/loadFlows.js';
export { executeRequest } from './engine/executeRequest.js';
export { listRuns } from './engine/listRuns.js';

// Running a worker in-process, and observing.
export { Worker, type WorkerOptions } from './worker/worker.js';
export { makeWorkerId } from './worker/workerId.js';
export { queueStatus } from './observe/status.js';
export { runDoctor } from './observe/doctor.js';
export { whyMapref } from './observe/why.js';
export { followRequest, type RequestSnapshot } from './observe/followRequest.js';

// The web console: as its own server, or as a fetch handler to mount in another one.
export { createConsoleApp } from './console/app.js';
export { openConsoleContext, startConsoleServer } from './console/server.js';
export { createLogger } from './observe/logger.js';

/** Opens the configured database (DWPRC_* variables, or `config`); call `close()` when done. */
export async function openDwprc(config: Config = loadConfig()): Promise<Connection & { config: Config }> {
  return { ...(await connect(config)), config };
}
