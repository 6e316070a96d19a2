-- The DW tables of COMPAT.md for a fresh PostgreSQL database. Oracle DATE → timestamp(0),
-- TIMESTAMP → timestamp(6), VARCHAR2 → varchar, CLOB → text, NUMBER(p) → bigint/integer.
-- "if not exists" everywhere: a schema created by hand or by the Python tool is completed, not replaced.

create sequence if not exists dwjobschseq start 1 increment 1;
create sequence if not exists dwprclogseq start 1 increment 1;
create sequence if not exists dwjoblogseq start 1 increment 1;
create sequence if not exists dwjoberrseq start 1 increment 1;

create table if not exists dwjob (
  jobid      bigint primary key,
  mapref     varchar(100) not null,
  trgschm    varchar(30),
  trgtbnm    varchar(30),
  stflg      varchar(1),
  curflg     varchar(1)
);

create table if not exists dwjobflw (
  jobflwid   bigint primary key,
  jobid      bigint,
  mapref     varchar(100) not null,
  trgschm    varchar(30),
  trgtbtyp   varchar(10),
  trgtbnm    varchar(30),
  dwlogic    text,
  stflg      varchar(1),
  recrdt     timestamp(0),
  recupdt    timestamp(0),
  curflg     varchar(1)
);
create index if not exists dwjobflw_mapref on dwjobflw (mapref, curflg, stflg);

create table if not exists dwjobsch (
  jobschid       bigint primary key,
  jobflwid       bigint,
  mapref         varchar(100) not null,
  frqcd          varchar(3),
  frqdd          varchar(3),
  frqhh          varchar(2),
  frqmi          varchar(2),
  strtdt         timestamp(0),
  enddt          timestamp(0),
  stflg          varchar(1),
  curflg         varchar(1),
  dpnd_jobschid  bigint,
  reccrdt        timestamp(0),
  recupdt        timestamp(0),
  schflg         varchar(1)
);
alter table dwjobsch add column if not exists nxt_run_dt timestamp(6);
alter table dwjobsch add column if not exists lst_run_dt timestamp(6);
-- The FRQ*/STRTDT/ENDDT that NXT_RUN_DT was computed from: an in-place edit by the UI shows as a mismatch.
alter table dwjobsch add column if not exists nxt_run_sig varchar(200);
create index if not exists dwjobsch_mapref on dwjobsch (mapref, curflg);
create index if not exists dwjobsch_parent on dwjobsch (dpnd_jobschid);

create table if not exists dwprclog (
  prcid      bigint primary key,
  jobid      bigint,
  jobflwid   bigint,
  strtdt     timestamp(6),
  enddt      timestamp(6),
  status     varchar(2),
  reccrdt    timestamp(6),
  recupdt    timestamp(0),
  msg        varchar(400),
  prclog     varchar(4000),
  sessionid  numeric(30),
  mapref     varchar(100),
  param1 varchar(250), param2 varchar(250), param3 varchar(250), param4 varchar(250), param5 varchar(250),
  param6 varchar(250), param7 varchar(250), param8 varchar(250), param9 varchar(250), param10 varchar(250)
);
-- How a DWLOGIC block finds its own row (MAPREF + SESSIONID + STATUS='IP').
create index if not exists dwprclog_session on dwprclog (sessionid, status);
create index if not exists dwprclog_mapref on dwprclog (mapref, prcid);

create table if not exists dwjoblog (
  joblogid   bigint primary key,
  prcdt      timestamp(0),
  jobid      bigint,
  mapref     varchar(100),
  srcrows    bigint,
  trgrows    bigint,
  errrows    bigint,
  reccrdt    timestamp(0),
  prcid      bigint,
  sessionid  numeric(30)
);
create index if not exists dwjoblog_prcid on dwjoblog (prcid);

create table if not exists dwjoberr (
  joblogid   bigint not null,
  errid      bigint not null,
  prcdt      timestamp(0),
  jobid      bigint,
  mapref     varchar(100),
  errtyp     varchar(10),
  dberrmsg   varchar(4000),
  errmsg     varchar(400),
  keyvalue   varchar(400),
  reccrdt    timestamp(0),
  prcid      bigint,
  sessionid  numeric(30),
  primary key (joblogid, errid)
);
create index if not exists dwjoberr_prcid on dwjoberr (prcid);

create table if not exists dwprcreq (
  request_id      varchar(64) primary key,
  mapref          varchar(100) not null,
  request_type    varchar(30) not null,
  payload         text,
  status          varchar(20) default 'NEW',
  requested_at    timestamp(6) default localtimestamp,
  claimed_at      timestamp(6),
  claimed_by      varchar(64),
  completed_at    timestamp(6),
  result_payload  text
);
alter table dwprcreq add column if not exists attempts          integer default 0 not null;
alter table dwprcreq add column if not exists run_after         timestamp(6);
alter table dwprcreq add column if not exists lease_expires_at  timestamp(6);
alter table dwprcreq add column if not exists prcid             bigint;
alter table dwprcreq add column if not exists stop_requested    varchar(1) default 'N' not null;
alter table dwprcreq add column if not exists stop_request_id   varchar(64);
create index if not exists dwprcreq_status on dwprcreq (status, requested_at);
create index if not exists dwprcreq_mapref on dwprcreq (mapref);

create table if not exists dwparams (
  prtyp      varchar(30) not null,
  prcd       varchar(50) not null,
  prdesc     varchar(250),
  prval      varchar(250),
  prreccrdt  timestamp(0),
  prrecupdt  timestamp(0),
  primary key (prtyp, prcd)
);

create table if not exists dwmapr (
  mapref     varchar(100) not null,
  trgschm    varchar(30),
  trgtbnm    varchar(30),
  curflg     varchar(1)
);
create index if not exists dwmapr_mapref on dwmapr (mapref, curflg);

create table if not exists dwmaprsql (
  dwmaprsqlid  bigint primary key,
  dwmaprsqlcd  varchar(100) not null,
  dwmaprsql    text,
  curflg       varchar(1)
);
-- The later tool renamed these columns MAPRSQLID/MAPRSQLCD/MAPRSQL: its table gets no index here
-- (it has its own) and dwprc reads it under either naming (engine/reports/findReportSql.ts).
do $$
begin
  if exists (select 1 from information_schema.columns
              where table_schema = current_schema() and table_name = 'dwmaprsql' and column_name = 'dwmaprsqlcd') then
    create index if not exists dwmaprsql_code on dwmaprsql (dwmaprsqlcd, curflg);
  end if;
end;
$$;
