import { loadConfig, type Config } from '../config.js';
import { connect, type Connection } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { createLogger, type Logger } from '../observe/logger.js';

export interface CommandContext {
  config: Config;
  connection: Connection;
  log: Logger;
}

/** Logs of one-shot commands go to stderr so that stdout stays the command's own output. */
export function commandLogger(): Logger {
  return createLogger({ level: process.env.DWPRC_LOG_LEVEL ?? 'warn', destination: process.stderr, pretty: false });
}

/**
 * Opens the configured database for one command and always closes it. On the embedded default
 * the schema is brought up to date first: a newcomer's database is theirs to migrate.
 */
export async function withDatabase<T>(fn: (ctx: CommandContext) => Promise<T>, log: Logger = commandLogger()): Promise<T> {
  const config = loadConfig();
  const connection = await connect(config);
  try {
    if (connection.embedded) await migrate(connection.dialect, config.tablePrefix);
    return await fn({ config, connection, log });
  } finally {
    await connection.close();
  }
}
