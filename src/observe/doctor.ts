import type { Config } from '../config.js';
import { compareWithContract, CONTRACT } from '../db/contract.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { schemaVersion } from '../db/migrate.js';
import { reportSqlNaming, schemaDrift } from '../db/schemaDrift.js';
import { pythonCheck } from '../engine/python/pythonCheck.js';
import { errorMessage } from '../errors.js';
import { DWPRC_VERSION } from '../version.js';
import { currentSchedulesCheck } from './currentSchedules.js';
import { foreignClaimerCheck, foreignWaitingCheck } from './foreignActivity.js';
import { legacySchedulerCheck } from './legacyScheduler.js';
import { workersCheck } from './liveWorkers.js';
import { orphanRunsCheck } from './orphanRuns.js';
import { stuckLeasesCheck } from './stuckLeases.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/**
 * One line per check. `fail`: dwprc cannot work correctly as things are (doctor exits 1); `warn`:
 * worth a look, nothing is broken by it alone (exit 0); `ok`.
 */
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** Statements that fix it, printed below the table. */
  fix?: string;
}

export interface DoctorReport {
  healthy: boolean;
  dialect: string;
  serverVersion: string;
  checks: Check[];
}

/** Database and local clocks further apart than this make log times confusing to read. */
const CLOCK_SKEW_WARN_MS = 5_000;

export async function runDoctor(dialect: Dialect, config: Config): Promise<DoctorReport> {
  const checks: Check[] = [];
  const serverVersion = await dialect.serverVersion();
  checks.push({ name: 'connect', status: 'ok', detail: `${dialect.name}: ${serverVersion}` });
  checks.push({ name: 'versions', status: 'ok', detail: `dwprc ${DWPRC_VERSION} on Node ${process.version}` });

  const before = Date.now();
  const now = await dialect.selectValue(dialect.utcNow());
  const local = (before + Date.now()) / 2;
  const skew = now.getTime() - local;
  checks.push({
    name: 'clock',
    status: Math.abs(skew) > CLOCK_SKEW_WARN_MS ? 'warn' : 'ok',
    detail: `database UTC ${now.toISOString()}, this host ${new Date(local).toISOString()} (skew ${Math.round(skew)} ms; dwprc schedules by the database clock)`,
  });

  const zone = config.timeZone ?? (await dialect.sessionTimeZone());
  checks.push({ name: 'time zone', status: 'ok', detail: `${zone}${config.timeZone ? ' (DWPRC_TIMEZONE)' : ' (database session)'}` });

  const version = await schemaVersion(dialect, config.tablePrefix);
  checks.push(
    version.applied === null
      ? { name: 'schema version', status: 'fail', detail: `not migrated (expected ${version.expected}); run: dwprc db migrate` }
      : version.applied < version.expected
        ? { name: 'schema version', status: 'fail', detail: `${version.applied}, expected ${version.expected}; run: dwprc db migrate` }
        : { name: 'schema version', status: 'ok', detail: String(version.applied) },
  );

  const described = await dialect.describeTables(Object.keys(CONTRACT));
  const drift = compareWithContract(described);
  checks.push({
    name: 'tables',
    status: drift.missingTables.length ? 'fail' : 'ok',
    detail: drift.missingTables.length ? `missing: ${drift.missingTables.join(', ')}` : `${Object.keys(CONTRACT).length} present`,
  });
  checks.push({
    name: 'columns',
    status: drift.missingColumns.length ? 'fail' : 'ok',
    detail: drift.missingColumns.length ? `missing: ${drift.missingColumns.join(', ')}` : 'all COMPAT.md columns present',
  });

  const unusual = schemaDrift(described, config.tablePrefix);
  const naming = reportSqlNaming(described) === 'later' ? 'report SQL under the later naming (MAPRSQLCD/MAPRSQL)' : 'the original column names';
  checks.push(
    unusual.length
      ? { name: 'schema drift', status: 'warn', detail: `${naming}; ${unusual.join('; ')}` }
      : { name: 'schema drift', status: 'ok', detail: naming },
  );

  if (!drift.missingTables.includes('DWJOBSCH')) {
    checks.push(await currentSchedulesCheck(dialect));
    checks.push(await legacySchedulerCheck(dialect));
  }

  // The queue's state, once its tables are there; a check that cannot run says so and warns.
  if (version.applied !== null && drift.missingTables.length === 0 && drift.missingColumns.length === 0) {
    const lease = config.worker.leaseMs;
    for (const [name, check] of [
      ['workers', () => workersCheck(dialect, lease)],
      ['leases', () => stuckLeasesCheck(dialect, lease)],
      ['open runs', () => orphanRunsCheck(dialect)],
      ['other services', () => foreignWaitingCheck(dialect, config.foreignRequests, config.foreignWaitMs)],
      ['other claimers', () => foreignClaimerCheck(dialect)],
      ['python', () => pythonCheck(dialect, config.python)],
    ] as const) {
      checks.push(await check().catch((error: unknown) => ({ name, status: 'warn' as const, detail: `could not check: ${errorMessage(error).split('\n')[0]}` })));
    }
  }

  return { healthy: checks.every((c) => c.status !== 'fail'), dialect: dialect.name, serverVersion, checks };
}
