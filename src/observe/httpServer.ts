import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { errorMessage, UserError } from '../errors.js';
import type { Logger } from './logger.js';
import type { Readiness, ReadinessCheck } from './readiness.js';

export interface HealthServerOptions {
  /** 0 = any free port (tests); the bound port is on the result. */
  port: number;
  /** Interface to bind; default: all of them, so Prometheus on another host can scrape. */
  host?: string;
  ready: ReadinessCheck;
  metrics: Registry;
  log: Logger;
  /** Everything else on this port (the web console's pages); none: 404. */
  fallback?: RequestListener;
}

export interface HealthServer {
  readonly port: number;
  /** Stops accepting, lets answers in progress finish (briefly), then closes every connection. */
  close(): Promise<void>;
}

/** Keep-alive connections of a scraper are cut after this long on close. */
const CLOSE_GRACE_MS = 2000;

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function wantsJson(req: IncomingMessage, url: URL): boolean {
  return url.searchParams.get('format') === 'json' || (req.headers.accept ?? '').includes('application/json');
}

async function readiness(check: ReadinessCheck): Promise<Readiness> {
  try {
    return await check();
  } catch (error) {
    return { ready: false, reason: errorMessage(error).split('\n')[0] };
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, { ready, metrics, log, fallback }: HealthServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (fallback && !['/healthz', '/readyz', '/metrics'].includes(url.pathname)) return fallback(req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  switch (url.pathname) {
    case '/healthz':
      return send(res, 200, 'ok\n');
    case '/readyz': {
      const state = await readiness(ready);
      const status = state.ready ? 200 : 503;
      if (wantsJson(req, url)) return send(res, status, `${JSON.stringify(state)}\n`, 'application/json');
      return send(res, status, state.ready ? 'ready\n' : `not ready: ${state.reason ?? 'unknown'}\n`);
    }
    case '/metrics':
      try {
        return send(res, 200, await metrics.metrics(), metrics.contentType);
      } catch (error) {
        log.warn({ err: errorMessage(error) }, 'metrics collection failed');
        return send(res, 500, 'metrics collection failed\n');
      }
    default:
      return send(res, 404, 'not found: try /healthz, /readyz or /metrics\n');
  }
}

/**
 * The worker's operations endpoints on plain node:http: `/healthz` (the process answers),
 * `/readyz` (database reachable, schema current; 503 with the reason otherwise) and `/metrics`
 * (Prometheus text format).
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { log } = options;
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      log.debug({ err: errorMessage(error) }, 'health server request failed');
      if (!res.headersSent) send(res, 400, 'bad request\n');
      else res.destroy();
    });
  });
  // A client that never finishes its request must not hold a socket for ever.
  server.headersTimeout = 5000;
  server.requestTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new UserError(`health server cannot listen on port ${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : errorMessage(error)}`));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  server.on('error', (error) => log.warn({ err: errorMessage(error) }, 'health server error'));
  const { port, address } = server.address() as AddressInfo;
  log.info({ port, address }, 'health server listening: /healthz /readyz /metrics');

  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        // With console pages open, event streams never end by themselves.
        if (options.fallback) server.closeAllConnections();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
