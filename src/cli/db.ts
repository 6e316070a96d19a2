import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { connect } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { print } from './output.js';

export function registerDb(program: Command): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply the numbered files of sql/<dialect>/ not yet applied (idempotent)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const connection = await connect(config);
      try {
        const result = await migrate(connection.dialect, config.tablePrefix);
        print(result, options, () =>
          [
            ...(result.applied.length
              ? [...result.applied.map((m) => `applied ${String(m.version).padStart(3, '0')}_${m.name}`), `schema version ${result.current}`]
              : [`schema is current (version ${result.current})`]),
            ...result.unreconciled.map((line) => `could not reconcile: ${line}`),
          ].join('\n'),
        );
      } finally {
        await connection.close();
      }
    });
}
