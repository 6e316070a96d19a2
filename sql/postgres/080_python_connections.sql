-- Where a Python flow's source and target connections come from (COMPAT.md, the later tool):
-- DWDBCONDTLS holds the connections, DWJOB.TRGCONID names a flow's target, and the SQLCONID of
-- the DWMAPRSQL row its first current DWJOBDTL row uses names its source. Created only where
-- missing; every column nullable, so rows the web UI writes stay valid. Twin of sql/oracle/080_*.
create table if not exists dwdbcondtls (
  conid    bigint primary key,
  connm    varchar(100),
  dbhost   varchar(100),
  dbport   varchar(10),
  dbsrvnm  varchar(100),
  usrnm    varchar(100),
  schnm    varchar(30),
  passwd   varchar(200),
  constr   varchar(1000),
  dbtyp    varchar(30),
  curflg   varchar(1)
);
create table if not exists dwjobdtl (
  jobdtlid   bigint primary key,
  mapref     varchar(100) not null,
  maprsqlcd  varchar(100),
  curflg     varchar(1)
);
alter table dwjob add column if not exists trgconid bigint;
alter table dwmaprsql add column if not exists sqlconid bigint;
