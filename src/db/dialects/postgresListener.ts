import pg from 'pg';
import type { Listener, WakeChannel } from './dialect.js';

const CHANNELS: Record<string, WakeChannel> = { dwprc_request: 'request', dwprc_stop: 'stop' };
const MAX_BACKOFF_MS = 30_000;

/**
 * One LISTEN connection per process. NOTIFY is not replayed to a session that was away, so
 * after every reconnect the listener reports `reconnected` and the worker polls at once.
 */
export async function listenPostgres(clientConfig: pg.ClientConfig, onWake: (channel: WakeChannel) => void): Promise<Listener> {
  let closed = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const c = new pg.Client(clientConfig);
    c.on('notification', (n) => {
      const channel = CHANNELS[n.channel];
      if (channel) onWake(channel);
    });
    c.on('error', () => scheduleReconnect(c));
    c.on('end', () => scheduleReconnect(c));
    try {
      await c.connect();
      await c.query('LISTEN dwprc_request; LISTEN dwprc_stop');
    } catch (error) {
      scheduleReconnect(c);
      throw error;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    if (failures > 0) onWake('reconnected');
    failures = 0;
  };

  function scheduleReconnect(c: pg.Client): void {
    if (closed || retryTimer || (client !== null && client !== c)) return;
    client = null;
    c.end().catch(() => undefined);
    failures += 1;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures, 10)) * (0.75 + Math.random() / 2);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect().catch(() => undefined);
    }, delay);
    retryTimer.unref();
  }

  // The first connection may fail too (database down at start): the retry loop takes over.
  await connect().catch(() => undefined);

  return {
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}
