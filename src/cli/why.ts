import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { whyMapref, type WhyReport } from '../observe/why.js';
import { withDatabase } from './context.js';
import { print } from './output.js';

function human(report: WhyReport): string {
  return [
    `${report.mapref}: ${report.answer}`,
    ...(report.hint ? [`  → ${report.hint}`] : []),
    '',
    'evidence:',
    ...report.evidence.map((line) => `  ${line}`),
    '',
    `(request and run times: the database clock, as stored; schedule, lease and retry times: ${report.facts.zone})`,
  ].join('\n');
}

export function registerWhy(program: Command): void {
  program
    .command('why')
    .description('why MAPREF is (not) running: one answer — running, queued, waiting, failed, disabled, next run … — and its evidence')
    .argument('<mapref>', 'mapping reference')
    .option('--json', 'print JSON: kind, answer, hint, evidence and the facts read')
    .action(async (mapref: string, options: { json?: boolean }) => {
      const name = mapref.trim();
      if (name === '') throw new UserError('MAPREF must not be empty', 2);
      const report = await withDatabase(({ connection, config, log }) => whyMapref(connection.dialect, config, name, { log }));
      print(report, options, () => human(report));
    });
}
