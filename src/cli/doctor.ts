import type { Command } from 'commander';
import { runDoctor, type DoctorReport } from '../observe/doctor.js';
import { withDatabase } from './context.js';
import { formatTable, print } from './output.js';

/** The report for a terminal: the checks, then what to run for those that carry a fix. */
export function doctorText(report: DoctorReport): string {
  const fixes = report.checks.filter((c) => c.fix).map((c) => `\nto fix "${c.name}", run as the owner of the DW schema:\n${c.fix}`);
  return [formatTable(report.checks, ['name', 'status', 'detail']), ...fixes, '', report.healthy ? 'healthy' : 'problems found'].join('\n');
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check connectivity, versions, clocks, schema version and drift, workers, leases, open runs, legacy jobs; exit 1 when a check fails')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await withDatabase(({ connection, config }) => runDoctor(connection.dialect, config));
      print(report, options, () => doctorText(report));
      if (!report.healthy) process.exitCode = 1;
    });
}
