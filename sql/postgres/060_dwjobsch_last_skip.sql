-- The misfire policy's latest drop of missed occurrences (the fleet was down), per schedule:
-- the latest occurrence dropped (UTC) and how many. Under DWPRC_MISFIRE=skip nothing else in the
-- database says that a run was missed; `dwprc why` reads it here. Twin of sql/oracle/060_*.
alter table dwjobsch add column if not exists lst_skip_dt timestamp(6);
alter table dwjobsch add column if not exists lst_skip_cnt integer;
