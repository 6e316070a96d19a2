-- Columns dwprc needs that a schema made by the later tool's own install script lacks (its
-- DWJOBSCH has STRDT/ENABLEFLG instead, no JOBFLWID or STFLG; its DWJOBERR has no RECCRDT).
-- Added empty and nullable, so that nothing the tool writes changes meaning; what cannot be
-- reconciled this way `dwprc db migrate` and `doctor` name (db/schemaDrift.ts). Twin of
-- sql/oracle/070_existing_schema.sql.
alter table dwjobsch add column if not exists jobflwid bigint;
alter table dwjobsch add column if not exists strtdt timestamp(0);
alter table dwjobsch add column if not exists stflg varchar(1);
alter table dwjobsch add column if not exists schflg varchar(1);
alter table dwjoberr add column if not exists reccrdt timestamp(0);
