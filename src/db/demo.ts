import { sql } from 'kysely';
import type { Dialect } from './dialects/dialect.js';

export const DEMO_MAPREF = 'DEMO_SALES';

/**
 * The demo's DWLOGIC: a PostgreSQL DO block written the way generated job code is (COMPAT.md,
 * "DWLOGIC contract"): it finds its own IP row by MAPREF + session id, loads, and reports counts
 * through pkgdwprc.create_job_log. It does not COMMIT itself so that it can also run by hand
 * inside a transaction; the engine commits when the block returns.
 */
export const DEMO_DWLOGIC = `DO $dwlogic$
DECLARE
  v_prcid      bigint;
  v_sessionid  numeric;
  v_jobid      bigint;
  v_day        varchar(250);
  v_rows       bigint;
  v_joblogid   bigint;
  v_src        bigint;
BEGIN
  SELECT prcid, sessionid, jobid, param1
    INTO v_prcid, v_sessionid, v_jobid, v_day
    FROM dwprclog
   WHERE mapref = '${DEMO_MAPREF}' AND sessionid = pg_backend_pid() AND status = 'IP';
  IF v_prcid IS NULL THEN
    RAISE EXCEPTION '${DEMO_MAPREF}: no IP row for session %', pg_backend_pid();
  END IF;

  INSERT INTO demo_sales_summary (prcid, business_day, orders, amount, loaded_at)
  SELECT v_prcid, coalesce(v_day, to_char(current_date, 'DD-Mon-YYYY')),
         count(*), coalesce(sum(amount), 0), localtimestamp
    FROM demo_sales_orders;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  SELECT count(*) INTO v_src FROM demo_sales_orders;

  CALL pkgdwprc.create_job_log(v_joblogid, v_sessionid, v_prcid, localtimestamp(0)::timestamp,
                               '${DEMO_MAPREF}', v_jobid, v_src, v_rows, 0);
END
$dwlogic$`;

/**
 * Seeds the embedded database with one job flow and one schedule (every minute), once.
 * Only for the embedded default: a real DW already has its flows.
 */
export async function seedDemo(dialect: Dialect): Promise<boolean> {
  const db = dialect.db;
  const existing = await db.selectFrom('dwjobflw').select('jobflwid').where('mapref', '=', DEMO_MAPREF).executeTakeFirst();
  if (existing) return false;
  await db.transaction().execute(async (trx) => {
    await sql`create table if not exists demo_sales_orders (order_id serial primary key, amount numeric(12,2) not null)`.execute(trx);
    await sql`create table if not exists demo_sales_summary (prcid bigint, business_day varchar(20), orders bigint, amount numeric(14,2), loaded_at timestamp)`.execute(trx);
    await sql`insert into demo_sales_orders (amount) select round((random() * 500)::numeric, 2) from generate_series(1, 250)`.execute(trx);
    await trx.insertInto('dwjob').values({ jobid: 1, mapref: DEMO_MAPREF, trgschm: 'public', trgtbnm: 'demo_sales_summary', stflg: 'A', curflg: 'Y' }).execute();
    await trx.insertInto('dwmapr').values({ mapref: DEMO_MAPREF, trgschm: 'public', trgtbnm: 'demo_sales_summary', curflg: 'Y' }).execute();
    await trx
      .insertInto('dwjobflw')
      .values({
        jobflwid: 1, jobid: 1, mapref: DEMO_MAPREF, trgschm: 'public', trgtbtyp: 'FCT', trgtbnm: 'demo_sales_summary',
        dwlogic: DEMO_DWLOGIC, stflg: 'A', recrdt: dialect.localNow(), recupdt: dialect.localNow(), curflg: 'Y',
      })
      .execute();
    await trx
      .insertInto('dwjobsch')
      .values({
        jobschid: dialect.nextValue('dwjobschseq'), jobflwid: 1, mapref: DEMO_MAPREF,
        frqcd: 'ID', frqdd: null, frqhh: '-1', frqmi: '01',
        strtdt: sql<Date>`current_date`, enddt: null, stflg: 'A', curflg: 'Y', dpndJobschid: null,
        reccrdt: dialect.localNow(), recupdt: dialect.localNow(), schflg: 'Y', nxtRunDt: null, lstRunDt: null, nxtRunSig: null,
      })
      .execute();
  });
  return true;
}
