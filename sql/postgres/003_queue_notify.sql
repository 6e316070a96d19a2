-- Wakes idle workers when any DWPRCREQ row is inserted, including rows the web UI writes.
-- NOTIFY is delivered at commit; workers also poll, so a lost notification only costs latency.
create or replace function dwprcreq_notify() returns trigger
language plpgsql
as $$
begin
  perform pg_notify('dwprc_request', new.request_type);
  return null;
end;
$$;

drop trigger if exists dwprcreq_notify on dwprcreq;
create trigger dwprcreq_notify
  after insert on dwprcreq
  for each row execute function dwprcreq_notify();
