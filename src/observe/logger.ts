import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear: connection strings and passwords never reach a log. */
const REDACT = [
  'password',
  'databaseUrl',
  'connectString',
  'url',
  '*.password',
  '*.databaseUrl',
  '*.connectString',
  '*.url',
  'config.database',
];

const URL_CREDENTIALS = /(\w+:\/\/)([^:/@\s]+):([^@\s]+)@/g;

/** Removes `user:password@` from any URL inside a free-text message (driver errors quote them). */
export function scrubSecrets(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1$2:***@');
}

export interface LoggerOptions {
  level?: string;
  /** Pretty lines for a human at a terminal; JSON lines otherwise. */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.DWPRC_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? (process.stdout.isTTY === true && !options.destination);
  const base = {
    level,
    redact: { paths: REDACT, censor: '***' },
    formatters: { level: (label: string) => ({ level: label }) },
    hooks: {
      logMethod(args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)));
      },
    },
  };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}
