-- One IMMEDIATE/HISTORY execution per MAPREF at a time, fleet-wide, enforced by the database:
-- a second claim of the same MAPREF fails on this index instead of running twice.
-- Request types are matched trimmed and case-insensitively, as the worker parses them.
create unique index if not exists dwprcreq_one_run on dwprcreq (mapref)
  where status = 'CLAIMED' and upper(trim(request_type)) in ('IMMEDIATE', 'HISTORY');

-- The reaper's scan: claimed rows by lease expiry.
create index if not exists dwprcreq_lease on dwprcreq (lease_expires_at) where status = 'CLAIMED';

-- Live workers, for `dwprc status` and `doctor` only: nothing depends on it for correctness.
create table if not exists dwprcwrk (
  worker_id     varchar(64) primary key,
  host          varchar(255),
  pid           integer,
  version       varchar(30),
  concurrency   integer,
  running       integer default 0 not null,
  started_at    timestamp(6),
  heartbeat_at  timestamp(6)
);
