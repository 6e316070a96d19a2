/**
 * The columns COMPAT.md promises, by default table name, in the database's snake_case.
 * `doctor` reports any that are missing; the schema test checks the migrations create them all.
 */
type Columns = Readonly<Record<string, string>>;

const params: Columns = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`param${i + 1}`, 'VARCHAR2(250)']));

/** COMPAT.md's Oracle types; PostgreSQL columns are checked through `postgresType`. */
export const CONTRACT: Readonly<Record<string, Columns>> = {
  dwjobflw: {
    jobflwid: 'NUMBER(12)', jobid: 'NUMBER(12)', mapref: 'VARCHAR2(100)', trgschm: 'VARCHAR2(30)', trgtbtyp: 'VARCHAR2(10)',
    trgtbnm: 'VARCHAR2(30)', dwlogic: 'CLOB', stflg: 'VARCHAR2(1)', recrdt: 'DATE', recupdt: 'DATE', curflg: 'VARCHAR2(1)',
  },
  dwjobsch: {
    jobschid: 'NUMBER(12)', jobflwid: 'NUMBER(12)', mapref: 'VARCHAR2(100)', frqcd: 'VARCHAR2(3)', frqdd: 'VARCHAR2(3)',
    frqhh: 'VARCHAR2(2)', frqmi: 'VARCHAR2(2)', strtdt: 'DATE', enddt: 'DATE', stflg: 'VARCHAR2(1)', curflg: 'VARCHAR2(1)',
    dpnd_jobschid: 'NUMBER(12)', reccrdt: 'DATE', recupdt: 'DATE', schflg: 'VARCHAR2(1)',
    nxt_run_dt: 'TIMESTAMP', lst_run_dt: 'TIMESTAMP', nxt_run_sig: 'VARCHAR2(200)',
  },
  dwprclog: {
    prcid: 'NUMBER(12)', jobid: 'NUMBER(12)', jobflwid: 'NUMBER(12)', strtdt: 'TIMESTAMP', enddt: 'TIMESTAMP',
    status: 'VARCHAR2(2)', reccrdt: 'TIMESTAMP', recupdt: 'DATE', msg: 'VARCHAR2(400)', prclog: 'VARCHAR2(4000)',
    sessionid: 'NUMBER(30)', mapref: 'VARCHAR2(100)', ...params,
  },
  dwjoblog: {
    joblogid: 'NUMBER(12)', prcdt: 'DATE', jobid: 'NUMBER(12)', mapref: 'VARCHAR2(100)', srcrows: 'NUMBER(10)',
    trgrows: 'NUMBER(10)', errrows: 'NUMBER(10)', reccrdt: 'DATE', prcid: 'NUMBER(12)', sessionid: 'NUMBER(30)',
  },
  dwjoberr: {
    joblogid: 'NUMBER(12)', errid: 'NUMBER(12)', prcdt: 'DATE', jobid: 'NUMBER(12)', mapref: 'VARCHAR2(100)',
    errtyp: 'VARCHAR2(10)', dberrmsg: 'VARCHAR2(4000)', errmsg: 'VARCHAR2(400)', keyvalue: 'VARCHAR2(400)',
    reccrdt: 'DATE', prcid: 'NUMBER(12)', sessionid: 'NUMBER(30)',
  },
  dwprcreq: {
    request_id: 'VARCHAR2(64)', mapref: 'VARCHAR2(100)', request_type: 'VARCHAR2(30)', payload: 'CLOB',
    status: 'VARCHAR2(20)', requested_at: 'TIMESTAMP', claimed_at: 'TIMESTAMP', claimed_by: 'VARCHAR2(64)',
    completed_at: 'TIMESTAMP', result_payload: 'CLOB', attempts: 'NUMBER', run_after: 'TIMESTAMP',
    lease_expires_at: 'TIMESTAMP', prcid: 'NUMBER(12)', stop_requested: 'VARCHAR2(1)', stop_request_id: 'VARCHAR2(64)',
    progress: 'VARCHAR2(4000)',
  },
  dwjob: { jobid: 'NUMBER(12)', mapref: 'VARCHAR2(100)', trgschm: 'VARCHAR2(30)', trgtbnm: 'VARCHAR2(30)', stflg: 'VARCHAR2(1)', curflg: 'VARCHAR2(1)' },
  dwparams: { prtyp: 'VARCHAR2(30)', prcd: 'VARCHAR2(50)', prdesc: 'VARCHAR2(250)', prval: 'VARCHAR2(250)', prreccrdt: 'DATE', prrecupdt: 'DATE' },
  dwmapr: { mapref: 'VARCHAR2(100)', trgschm: 'VARCHAR2(30)', trgtbnm: 'VARCHAR2(30)', curflg: 'VARCHAR2(1)' },
  dwmaprsql: { dwmaprsqlid: 'NUMBER(12)', dwmaprsqlcd: 'VARCHAR2(100)', dwmaprsql: 'CLOB', curflg: 'VARCHAR2(1)' },
};

/** How an Oracle type of the contract is spelled by PostgreSQL's information_schema. */
export function postgresType(oracleType: string): string {
  const varchar = /^VARCHAR2\((\d+)\)$/.exec(oracleType);
  if (varchar) return `character varying(${varchar[1]})`;
  if (oracleType === 'CLOB') return 'text';
  if (oracleType === 'DATE' || oracleType === 'TIMESTAMP') return 'timestamp without time zone';
  if (oracleType === 'NUMBER(30)') return 'numeric';
  if (oracleType === 'NUMBER') return 'integer';
  return 'bigint';
}

/**
 * Columns a later version of the tool renamed: the contract's name or this one satisfies it,
 * and dwprc reads whichever the table has (engine/reports/findReportSql.ts).
 */
export const LATER_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  dwmaprsql: { dwmaprsqlid: 'maprsqlid', dwmaprsqlcd: 'maprsqlcd', dwmaprsql: 'maprsql' },
};

export interface SchemaDrift {
  missingTables: string[];
  missingColumns: string[];
}

export function compareWithContract(actual: Map<string, Map<string, unknown>>): SchemaDrift {
  const missingTables: string[] = [];
  const missingColumns: string[] = [];
  for (const [table, columns] of Object.entries(CONTRACT)) {
    const found = actual.get(table);
    if (!found) {
      missingTables.push(table.toUpperCase());
      continue;
    }
    for (const column of Object.keys(columns)) {
      const later = LATER_NAMES[table]?.[column];
      if (!found.has(column) && !(later && found.has(later))) missingColumns.push(`${table}.${column}`.toUpperCase());
    }
  }
  return { missingTables, missingColumns };
}
