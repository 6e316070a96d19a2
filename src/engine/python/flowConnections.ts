import type { Kysely, Selectable } from 'kysely';
import { validIdentifier } from '../../config.js';
import type { Dialect, PythonConnection } from '../../db/dialects/dialect.js';
import type { Database, DwdbcondtlsTable } from '../../db/schema.js';
import { UserError } from '../../errors.js';
import type { ResolvedFlow } from '../resolveFlow.js';
import type { ChildConnections } from './pythonChild.js';

/**
 * The connections execute_job receives, as the tool's engine chose them. The metadata connection
 * is the DW database as the worker's pool connects to it. The source is the DWDBCONDTLS row
 * named by SQLCONID of the DWMAPRSQL row the MAPREF's first current DWJOBDTL row uses; the
 * target the one DWJOB.TRGCONID names. Either, when not named, is the metadata connection. A
 * named connection that is missing or of another database type refuses the run before its row.
 */
export async function flowConnections(flow: Extract<ResolvedFlow, { kind: 'python' }>, dialect: Dialect): Promise<ChildConnections> {
  const { db } = dialect;
  const [source, target] = await Promise.all([sourceConidQuery(db, flow.mapref).executeTakeFirst(), targetConidQuery(db, flow.mapref).executeTakeFirst()]);
  const open = async (conid: unknown, named: string) => (conid === null || conid === undefined ? null : childConnection(await connectionRow(db, Number(conid), named), named));
  return {
    metadata: dialect.pythonConnection(),
    source: await open(source?.sqlconid, `the source of ${flow.mapref} (DWMAPRSQL.SQLCONID)`),
    target: await open(target?.trgconid, `the target of ${flow.mapref} (DWJOB.TRGCONID)`),
  };
}

/** SQLCONID of the SQL the MAPREF's first current DWJOBDTL row names: the first row (exported to pin its Oracle SQL). */
export function sourceConidQuery(db: Kysely<Database>, mapref: string) {
  return db
    .selectFrom('dwjobdtl')
    .innerJoin('dwmaprsql', (join) => join.onRef('dwmaprsql.dwmaprsqlcd', '=', 'dwjobdtl.maprsqlcd').on('dwmaprsql.curflg', '=', 'Y'))
    .select('dwmaprsql.sqlconid')
    .where('dwjobdtl.mapref', '=', mapref)
    .where('dwjobdtl.curflg', '=', 'Y')
    .orderBy('dwjobdtl.jobdtlid')
    .orderBy('dwmaprsql.dwmaprsqlid', 'desc');
}

/** TRGCONID of the MAPREF's current DWJOB row, the newest should there be several (exported to pin its Oracle SQL). */
export function targetConidQuery(db: Kysely<Database>, mapref: string) {
  return db.selectFrom('dwjob').select('trgconid').where('mapref', '=', mapref).where('curflg', '=', 'Y').orderBy('jobid', 'desc');
}

async function connectionRow(db: Kysely<Database>, conid: number, named: string): Promise<Selectable<DwdbcondtlsTable>> {
  const row = await db.selectFrom('dwdbcondtls').selectAll().where('conid', '=', conid).where('curflg', '=', 'Y').executeTakeFirst();
  if (!row) throw new UserError(`${named} is CONID ${conid}, which has no current DWDBCONDTLS row (CURFLG 'Y')`);
  return row;
}

const POSTGRES_TYPES = new Set(['POSTGRESQL', 'POSTGRES']);

/** A DWDBCONDTLS row as the child's driver opens it; exported for the tests. */
export function childConnection(row: Selectable<DwdbcondtlsTable>, named = `CONID ${row.conid}`): PythonConnection {
  const type = (row.dbtyp ?? '').trim().toUpperCase() || 'ORACLE';
  const schema = row.schnm?.trim() ? validIdentifier(`DWDBCONDTLS.SCHNM of CONID ${row.conid}`, row.schnm.trim()) : null;
  const constr = row.constr?.trim() || null;
  if (POSTGRES_TYPES.has(type)) {
    if (constr) return { driver: 'psycopg2', dsn: constr, schema };
    const parts = { host: row.dbhost, port: row.dbport, dbname: row.dbsrvnm, user: row.usrnm, password: row.passwd };
    const dsn = Object.entries(parts)
      .filter(([, v]) => v !== null && v.trim() !== '')
      .map(([k, v]) => `${k}='${v!.trim().replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)
      .join(' ');
    return { driver: 'psycopg2', dsn, schema };
  }
  if (type === 'ORACLE') {
    const dsn = constr ?? `${row.dbhost?.trim() ?? ''}:${row.dbport?.trim() || '1521'}/${row.dbsrvnm?.trim() ?? ''}`;
    return { driver: 'oracledb', user: row.usrnm?.trim() ?? '', password: row.passwd ?? '', dsn, schema };
  }
  throw new UserError(`${named} is CONID ${row.conid}, of DBTYP ${type}: dwprc opens ORACLE (python-oracledb) and POSTGRESQL (psycopg2) connections for Python flows`);
}
