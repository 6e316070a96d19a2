import type { Config } from '../config.js';
import type { Dialect } from './dialects/dialect.js';
import { OracleDialect } from './dialects/oracle.js';
import { PostgresDialect } from './dialects/postgres.js';
import { openEmbeddedCluster, type EmbeddedCluster } from './embedded.js';

export interface Connection {
  dialect: Dialect;
  /** The embedded cluster, when no DWPRC_DATABASE_URL was given. */
  embedded: EmbeddedCluster | null;
  /** Closes the pool and stops the embedded server if this process started it. */
  close(): Promise<void>;
}

export async function connect(config: Config, applicationName = 'dwprc'): Promise<Connection> {
  const target = config.database;
  const common = { schema: config.schema, tablePrefix: config.tablePrefix, poolMax: config.poolMax, foreignRequests: config.foreignRequests };
  if (target.kind === 'oracle') {
    const dialect = await OracleDialect.create({
      ...common, user: target.user, password: target.password, connectString: target.connectString, alerts: config.oracleAlerts,
    });
    return { dialect, embedded: null, close: () => dialect.close() };
  }
  const embedded = target.kind === 'embedded' ? await openEmbeddedCluster({ home: target.home }) : null;
  const url = target.kind === 'postgres' ? target.url : embedded!.url;
  const dialect = new PostgresDialect({ ...common, url, applicationName });
  return {
    dialect,
    embedded,
    async close() {
      await dialect.close();
      await embedded?.stop();
    },
  };
}
