import type { Config } from '../config.js';
import { compareWithContract, CONTRACT } from '../db/contract.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { schemaVersion } from '../db/migrate.js';
import { currentSchedulesCheck } from './currentSchedules.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
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

  const drift = compareWithContract(await dialect.describeTables(Object.keys(CONTRACT)));
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

  if (!drift.missingTables.includes('DWJOBSCH')) checks.push(await currentSchedulesCheck(dialect));

  return { healthy: checks.every((c) => c.status !== 'fail'), dialect: dialect.name, serverVersion, checks };
}
