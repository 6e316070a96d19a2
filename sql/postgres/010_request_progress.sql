-- How far a HISTORY request has got: {"from":"YYYY-MM-DD","to":"YYYY-MM-DD","done":"YYYY-MM-DD"|null}.
-- The engine pins the resolved range before the first day and advances "done" in the same
-- transaction that closes each day's DWPRCLOG row PC, so a retried or resumed request continues
-- at the first day not yet complete, even after a crash.
alter table dwprcreq add column if not exists progress varchar(4000);
