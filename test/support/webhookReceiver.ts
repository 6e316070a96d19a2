import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

/** How to answer the n-th request (1-based); may hold the response as long as it likes. */
export type Responder = (n: number, req: IncomingMessage, res: ServerResponse) => unknown;

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** Requests that arrived, answered or not. */
  hits(): number;
  close(): Promise<void>;
}

/** A webhook endpoint on 127.0.0.1 that records what it is sent and answers as told. */
export async function startReceiver(path: string, respond: Responder = (_n, _req, res) => res.end('ok')): Promise<WebhookReceiver> {
  const received: Received[] = [];
  let hits = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits += 1;
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      void respond(hits, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
