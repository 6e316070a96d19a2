import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Config } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { loadFlows, type FlowRegistry } from '../engine/loadFlows.js';
import { errorMessage, UserError } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import { resolveBusinessZone } from '../scheduler/businessZone.js';
import { createConsoleApp, type ConsoleApp } from './app.js';
import type { ConsoleContext } from './context.js';

/** The zones and the flows (for `why`): read once when the console starts; a worker passes the flows it has loaded. */
export async function openConsoleContext(dialect: Dialect, config: Config, log: Logger, loaded?: FlowRegistry): Promise<ConsoleContext> {
  const [businessZone, databaseZone, flows] = await Promise.all([
    resolveBusinessZone(config, dialect),
    resolveBusinessZone({ ...config, timeZone: null }, dialect),
    loaded ?? loadFlows(config.flowsDir, log),
  ]);
  return { dialect, config, clock: { businessZone, databaseZone }, flows, log };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The console as a node:http listener. `loopbackOnly` (a worker's --http port, which listens on
 * every interface for Prometheus, without a token) answers 403 to anyone not on this host.
 */
export function consoleListener(app: ConsoleApp, options: { loopbackOnly: boolean }): RequestListener {
  const listener = getRequestListener(app.fetch);
  return (req: IncomingMessage, res: ServerResponse) => {
    if (options.loopbackOnly && !LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('403: the console answers this host only unless DWPRC_CONSOLE_TOKEN is set\n');
      return;
    }
    void listener(req, res);
  };
}

export interface ConsoleServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

/** `dwprc console`: the pages on their own port (127.0.0.1 by default). */
export async function startConsoleServer(ctx: ConsoleContext, options: { port: number; host: string; token: string | null }): Promise<ConsoleServer> {
  const app = createConsoleApp(ctx, { token: options.token });
  const server = createServer(consoleListener(app, { loopbackOnly: false }));
  server.headersTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UserError(`console cannot listen on ${options.host}:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : errorMessage(error)}`)),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: options.host,
    close: () =>
      new Promise<void>((resolve) => {
        app.close();
        // Open pages hold event streams: they are cut, not waited for.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
