import { sql } from 'kysely';
import oracledb from 'oracledb';
import { UserError } from '../../errors.js';
import type { ErrorClass, Listener, WakeChannel } from './dialect.js';

/**
 * Optional wake-ups on Oracle through DBMS_ALERT (DWPRC_ORACLE_ALERTS=1): signals are delivered
 * at commit and coalesce, so, as with PostgreSQL's NOTIFY, polling stays and a wake-up only cuts
 * the wait. An AFTER INSERT trigger on DWPRCREQ (sql/oracle/003_queue_alert.sql) signals
 * DWPRC_REQUEST, so rows the web UI writes wake workers too; a STOP signals DWPRC_STOP.
 */
export const ORACLE_ALERTS: Readonly<Record<'request' | 'stop', string>> = { request: 'DWPRC_REQUEST', stop: 'DWPRC_STOP' };

/** WAITANY returns after this long without a signal, so a lost session is noticed within it. */
export const ALERT_WAIT_SECONDS = 5;

export const REGISTER_ALERT = 'BEGIN DBMS_ALERT.REGISTER(:name); END;';
export const WAIT_FOR_ALERT = 'BEGIN DBMS_ALERT.WAITANY(:name, :message, :status, :timeout); END;';

/** The signal, in the caller's transaction: it is delivered when that transaction commits. */
export function signalAlert(channel: 'request' | 'stop') {
  return sql`BEGIN DBMS_ALERT.SIGNAL(${ORACLE_ALERTS[channel]}, ${channel}); END;`;
}

/** WAITANY's binds: the alert name and message come back as OUT binds (strings need maxSize). */
export function waitBinds(timeoutSeconds: number): oracledb.BindParameters {
  return {
    name: { dir: oracledb.BIND_OUT, type: oracledb.STRING, maxSize: 30 },
    message: { dir: oracledb.BIND_OUT, type: oracledb.STRING, maxSize: 1800 },
    status: { dir: oracledb.BIND_OUT, type: oracledb.NUMBER },
    timeout: { dir: oracledb.BIND_IN, type: oracledb.NUMBER, val: timeoutSeconds },
  };
}

/** The driver calls the listener makes on its connection (a recording fake in tests). */
export type AlertConnection = Pick<oracledb.Connection, 'execute' | 'break' | 'close'>;

export interface AlertListenerOptions {
  /** A new dedicated connection: WAITANY commits, so it can never be a pooled one. */
  connect: () => Promise<AlertConnection>;
  classifyError: (error: unknown) => ErrorClass;
  waitSeconds?: number;
  maxBackoffMs?: number;
}

const CHANNEL_OF_ALERT = new Map<string, WakeChannel>(Object.entries(ORACLE_ALERTS).map(([channel, name]) => [name, channel as WakeChannel]));

/**
 * One dedicated session registers both alerts and loops on WAITANY. If the session is lost it
 * reconnects with capped backoff and reports `reconnected` (signals sent meanwhile are gone, so
 * the worker polls at once). The first attempt is awaited: a missing grant is a configuration
 * error the operator must see, a database that is down is retried in the background.
 */
export async function listenOracleAlerts(options: AlertListenerOptions, onWake: (channel: WakeChannel) => void): Promise<Listener> {
  const waitSeconds = options.waitSeconds ?? ALERT_WAIT_SECONDS;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let closed = false;
  let connection: AlertConnection | null = null;
  let wakeSleeper: (() => void) | null = null;

  const open = async (): Promise<AlertConnection> => {
    const c = await options.connect();
    try {
      for (const name of Object.values(ORACLE_ALERTS)) await c.execute(REGISTER_ALERT, { name });
      return c;
    } catch (error) {
      await c.close().catch(() => undefined);
      throw error;
    }
  };

  const waitLoop = async (c: AlertConnection): Promise<void> => {
    while (!closed) {
      const result = await c.execute<unknown>(WAIT_FOR_ALERT, waitBinds(waitSeconds));
      const out = result.outBinds as { name: string | null; status: number };
      // status 0: an alert arrived; 1: the wait timed out.
      const channel = out.status === 0 && out.name ? CHANNEL_OF_ALERT.get(out.name) : undefined;
      if (channel) onWake(channel);
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const backoff = (failures: number) => Math.min(maxBackoffMs, 100 * 2 ** Math.min(failures, 10)) * (0.75 + Math.random() / 2);

  const run = async (first: AlertConnection | null): Promise<void> => {
    let failures = first ? 0 : 1;
    let next = first;
    if (!first) await sleep(backoff(failures));
    while (!closed) {
      try {
        connection = next ?? (await open());
        next = null;
        if (failures > 0) onWake('reconnected');
        failures = 0;
        await waitLoop(connection);
      } catch {
        if (closed) break;
        failures += 1;
        await connection?.close().catch(() => undefined);
        connection = null;
        await sleep(backoff(failures));
      }
    }
    await connection?.close().catch(() => undefined);
    connection = null;
  };

  let first: AlertConnection | null = null;
  try {
    first = await open();
  } catch (error) {
    if (options.classifyError(error) !== 'transient') {
      const reason = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
      throw new UserError(`DWPRC_ORACLE_ALERTS=1, but DBMS_ALERT cannot be used (${reason}): GRANT EXECUTE ON SYS.DBMS_ALERT to the dwprc user, or unset DWPRC_ORACLE_ALERTS to poll only`);
    }
  }
  const loop = run(first);
  return {
    async close() {
      closed = true;
      wakeSleeper?.();
      // WAITANY is a server call: an in-band break ends it (ORA-01013) instead of waiting out the timeout.
      await connection?.break().catch(() => undefined);
      await loop;
    },
  };
}
