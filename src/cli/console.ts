import type { Command } from 'commander';
import { loadConfig, parsePort } from '../config.js';
import { connect } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { openConsoleContext, startConsoleServer } from '../console/server.js';
import { createLogger } from '../observe/logger.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** `dwprc console`: the read-only web console until Ctrl-C, against the configured database (the embedded one by default). */
async function runConsole(options: { port: string; host: string }): Promise<void> {
  const port = parsePort('--port', options.port);
  const config = loadConfig();
  const log = createLogger();
  const connection = await connect(config, 'dwprc:console');
  try {
    if (connection.embedded) await migrate(connection.dialect, config.tablePrefix);
    const ctx = await openConsoleContext(connection.dialect, config, log);
    const server = await startConsoleServer(ctx, { port, host: options.host, token: config.consoleToken });
    if (!LOOPBACK_HOSTS.has(options.host) && !config.consoleToken) {
      log.warn({ host: options.host }, 'the console listens beyond this host without DWPRC_CONSOLE_TOKEN: anyone who reaches the port reads every page');
    }
    const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
    process.stderr.write(`dwprc console on http://${shown}:${server.port}/${config.consoleToken ? ' (DWPRC_CONSOLE_TOKEN required: open it once with ?token=…)' : ''} — Ctrl-C stops it\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await server.close();
  } finally {
    await connection.close();
  }
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the read-only web console (now, timeline, schedules, chains, MAPREF pages) until Ctrl-C')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'interface to bind (127.0.0.1: this host only)', '127.0.0.1')
    .action(runConsole);
}
