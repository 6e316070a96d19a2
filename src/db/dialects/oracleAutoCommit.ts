import type { Driver } from 'kysely';
import {
  OracleConnection,
  OracleDialect as KyselyOracle,
  OracleDriver,
  type OracleCompiledQuery,
  type OracleDialectConfig,
  type OracleQueryResult,
} from 'kysely-oracledb';
import type oracledb from 'oracledb';

/**
 * kysely-oracledb runs every statement with the driver's default `autoCommit: false`, so a write
 * made outside `db.transaction()` is rolled back when its connection goes back to the pool
 * (ORACLE.md). The shared code is written for PostgreSQL's semantics, where such a write commits
 * on its own. This dialect gives the pool the same semantics: outside a transaction a statement
 * carries `autoCommit: true` (the commit rides on the same round trip); inside one nothing changes
 * and Kysely's commit or rollback ends it. An explicit `autoCommit` in a query's execute options
 * (withExecuteOptions) wins.
 */
class SessionConnection extends OracleConnection {
  inTransaction = false;

  override executeQuery<R>(compiledQuery: OracleCompiledQuery): Promise<OracleQueryResult<R>> {
    if (this.inTransaction) return super.executeQuery(compiledQuery);
    return super.executeQuery({ ...compiledQuery, executeOptions: { autoCommit: true, ...compiledQuery.executeOptions } });
  }
}

const silent = () => undefined;
const quietLogger = { trace: silent, debug: silent, info: silent, warn: silent, error: silent, fatal: silent };

class AutoCommitDriver extends OracleDriver implements Driver {
  constructor(private readonly pool: oracledb.Pool) {
    super({ pool, logger: quietLogger });
  }

  override async acquireConnection(): Promise<SessionConnection> {
    return new SessionConnection(await this.pool.getConnection(), quietLogger);
  }

  override async beginTransaction(connection: SessionConnection): Promise<void> {
    connection.inTransaction = true;
  }

  override async commitTransaction(connection: SessionConnection): Promise<void> {
    try {
      await super.commitTransaction(connection);
    } finally {
      connection.inTransaction = false;
    }
  }

  override async rollbackTransaction(connection: SessionConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      connection.inTransaction = false;
    }
  }
}

export class AutoCommitOracleDialect extends KyselyOracle {
  constructor(private readonly config: OracleDialectConfig) {
    super(config);
  }

  override createDriver(): OracleDriver {
    return new AutoCommitDriver(this.config.pool);
  }
}
