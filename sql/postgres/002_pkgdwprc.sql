-- What generated DWLOGIC blocks call (COMPAT.md "DWLOGIC contract"), as PostgreSQL procedures in
-- schemas named like the Oracle packages, so a block reads `call pkgdwprc.create_job_log(...)`.
-- "set search_path from current" pins the DW schema chosen when the migration ran.

create schema if not exists pkgdwprc;
create schema if not exists pkgerr;

-- Writes the run's row counts. A NULL id takes the next DWJOBLOGSEQ value (the original failed).
create or replace procedure pkgdwprc.create_job_log(
  inout p_joblogid bigint,
  p_sessionid numeric,
  p_prcid bigint,
  p_prcdt timestamp,
  p_mapref varchar,
  p_jobid bigint,
  p_srcrows bigint,
  p_trgrows bigint,
  p_errrows bigint
)
language plpgsql
set search_path from current
as $$
begin
  if p_joblogid is null then
    p_joblogid := nextval('dwjoblogseq');
  end if;
  insert into dwjoblog (joblogid, prcdt, jobid, mapref, srcrows, trgrows, errrows, reccrdt, prcid, sessionid)
  values (p_joblogid, p_prcdt, p_jobid, p_mapref, p_srcrows, p_trgrows, p_errrows,
          localtimestamp(0), p_prcid, p_sessionid);
end;
$$;

-- Records one error of a run and marks its DWPRCLOG row FL. The engine turns FL back into PC
-- when the block still returns normally (row errors that did not stop the run), keeping MSG:
-- the last error's text. Warnings and notes (WRN, INF) leave the run's row as it is.
-- A NULL job-log id (error before any CREATE_JOB_LOG) is stored as 0.
create or replace procedure pkgdwprc.log_job_error(
  p_joblogid bigint,
  p_sessionid numeric,
  p_prcid bigint,
  p_prcdt timestamp,
  p_jobid bigint,
  p_mapref varchar,
  p_errtyp varchar,
  p_dberrmsg varchar,
  p_errmsg varchar,
  p_keyvalue varchar
)
language plpgsql
set search_path from current
as $$
begin
  insert into dwjoberr (joblogid, errid, prcdt, jobid, mapref, errtyp, dberrmsg, errmsg, keyvalue, reccrdt, prcid, sessionid)
  values (coalesce(p_joblogid, 0), nextval('dwjoberrseq'), p_prcdt, p_jobid, p_mapref,
          coalesce(nullif(p_errtyp, ''), 'ERR'), left(p_dberrmsg, 4000), left(p_errmsg, 400),
          left(p_keyvalue, 400), localtimestamp(0), p_prcid, p_sessionid);
  update dwprclog
     set status = 'FL',
         msg = left(coalesce(p_errmsg, p_dberrmsg), 400),
         recupdt = localtimestamp(0)
   where prcid = p_prcid
     and status in ('IP', 'FL')
     and coalesce(nullif(p_errtyp, ''), 'ERR') = 'ERR';
end;
$$;

-- PKGERR.RAISE_ERROR raises ORA-20099 on Oracle; here SQLSTATE P0099 with the same text.
create or replace procedure pkgerr.raise_error(p_mod varchar, p_nam varchar, p_blk varchar, p_msg varchar)
language plpgsql
as $$
begin
  raise exception using errcode = 'P0099', message = concat_ws('::', p_mod, p_nam, p_blk, p_msg);
end;
$$;
