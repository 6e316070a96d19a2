import type { Command } from 'commander';
import { runDoctor } from '../observe/doctor.js';
import { withDatabase } from './context.js';
import { formatTable, print } from './output.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check connectivity, versions, clocks, schema version and drift; exit 1 when a problem is found')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await withDatabase(({ connection, config }) => runDoctor(connection.dialect, config));
      print(report, options, () => `${formatTable(report.checks as unknown as Record<string, unknown>[])}\n\n${report.healthy ? 'healthy' : 'problems found'}`);
      if (!report.healthy) process.exitCode = 1;
    });
}
