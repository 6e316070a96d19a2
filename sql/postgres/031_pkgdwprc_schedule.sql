-- The schedule operations (COMPAT.md "Operations the UI performs") as functions in the pkgdwprc
-- schema: the PostgreSQL twin of the entry points of sql/oracle/031_pkgdwprc.sql, with the same
-- names, order of checks, messages and effects. dwprc's CLI calls these.
--
--   pkgdwprc.create_job_schedule(mapref, frqcd, frqdd, frqhh, frqmi, strtdt, enddt) → jobschid
--   pkgdwprc.enable_disable_schedule(mapref, action 'E' | 'D')
--   pkgdwprc.create_job_dependency(parent_mapref | null, child_mapref)
--   pkgdwprc.schedule_job_immediate(mapref) → request_id
--   pkgdwprc.schedule_history_job_immediate(mapref, strtdt, enddt, tlflg) → request_id
--   pkgdwprc.stop_running_job(mapref, strtdt, force) → request_id
--   pkgdwprc.schedule_error(mapref, frqcd, frqdd, frqhh, frqmi, strtdt, enddt) → first broken rule or null
--
-- Refusals are raised through pkgerr.raise_error: SQLSTATE P0099, message
-- "PKGDWPRC::<ENTRY POINT>::<step>::<text>", where <text> is exactly the text of COMPAT.md.
-- Nothing here commits: the caller's transaction decides, and a refused call changes nothing.

-- Digits only (leading zeros welcome), at most p_digits of them, value in p_low .. p_high.
-- No sign, blank or decimal point: the scheduler reads these texts as whole numbers.
create or replace function pkgdwprc.number_between(p_text varchar, p_digits integer, p_low integer, p_high integer)
returns boolean
language plpgsql
immutable
as $$
begin
  if p_text is null or length(p_text) > p_digits or p_text !~ '^[0-9]+$' then
    return false;
  end if;
  return p_text::integer between p_low and p_high;
end;
$$;

-- The first rule a schedule breaks (COMPAT.md, rules 1 to 9, in order), or null when it breaks
-- none. Rule 8 uses the database's current date.
create or replace function pkgdwprc.schedule_error(
  p_mapref varchar,
  p_frqcd varchar,
  p_frqdd varchar,
  p_frqhh varchar,
  p_frqmi varchar,
  p_strtdt timestamp,
  p_enddt timestamp
)
returns varchar
language plpgsql
stable
as $$
declare
  -- Intraday with hour -1: every FRQMI minutes, so FRQMI 0 makes no sense there.
  v_every_minutes boolean := coalesce(p_frqcd = 'ID' and p_frqhh = '-1', false);
begin
  if nullif(trim(p_mapref), '') is null then
    return 'Mapping reference must be provided.';
  end if;
  if p_frqcd is null or p_frqcd not in ('ID', 'DL', 'WK', 'FN', 'MN', 'HY', 'YR') then
    return 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).';
  end if;
  if p_frqcd in ('WK', 'FN') and (p_frqdd is null or p_frqdd not in ('MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN')) then
    return 'Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".';
  end if;
  if p_frqcd in ('MN', 'HY', 'YR') and not pkgdwprc.number_between(p_frqdd, 3, 1, 31) then
    return 'Invalid frequency day (Valid: 1 .. 31).';
  end if;
  if not v_every_minutes and not pkgdwprc.number_between(p_frqhh, 2, 0, 23) then
    return 'Invalid frequency hour (valid: 0 .. 23).';
  end if;
  if not pkgdwprc.number_between(p_frqmi, 2, case when v_every_minutes then 1 else 0 end, 59) then
    return 'Invalid frequency minute (valid: 0 .. 59).';
  end if;
  if p_strtdt is null then
    return 'Schedule start date must be provided.';
  end if;
  if p_strtdt < current_date then
    return 'Schedule start date must not be in past.';
  end if;
  if p_enddt is not null and p_strtdt >= p_enddt then
    return 'Schedule start date must be before schedule end date.';
  end if;
  return null;
end;
$$;

-- Locks every current row of the MAPREF and returns the newest (all fields null when none).
-- One statement, so one snapshot: the rows locked are the rows compared.
create or replace function pkgdwprc.lock_current(p_mapref varchar)
returns dwjobsch
language plpgsql
set search_path from current
as $$
declare
  v_row dwjobsch;
  v_newest dwjobsch;
begin
  for v_row in
    select * from dwjobsch where mapref = p_mapref and curflg = 'Y' order by jobschid desc for update
  loop
    if v_newest.jobschid is null then
      v_newest := v_row;
    end if;
  end loop;
  return v_newest;
end;
$$;

-- One attempt at saving: the current row is locked first, so a concurrent save of the same
-- MAPREF waits, then finds no current row in its snapshot and fails on dwjobsch_one_current when
-- it inserts; create_job_schedule then retries it on the winner's row.
create or replace function pkgdwprc.save_schedule(
  p_mapref varchar,
  p_jobflwid bigint,
  p_frqcd varchar,
  p_frqdd varchar,
  p_frqhh varchar,
  p_frqmi varchar,
  p_strtdt timestamp,
  p_enddt timestamp
)
returns bigint
language plpgsql
set search_path from current
as $$
declare
  v_current dwjobsch;
  v_jobschid bigint;
begin
  v_current := pkgdwprc.lock_current(p_mapref);
  if v_current.jobschid is not null
     and v_current.frqcd is not distinct from p_frqcd and v_current.frqdd is not distinct from p_frqdd
     and v_current.frqhh is not distinct from p_frqhh and v_current.frqmi is not distinct from p_frqmi
     and v_current.strtdt is not distinct from p_strtdt and v_current.enddt is not distinct from p_enddt then
    -- Unchanged: same row, same id. It follows the current flow version, because the web UI
    -- finds a flow's schedule through JOBFLWID.
    if v_current.jobflwid is distinct from p_jobflwid then
      update dwjobsch set jobflwid = p_jobflwid where jobschid = v_current.jobschid;
    end if;
    return v_current.jobschid;
  end if;
  if v_current.jobschid is not null then
    update dwjobsch
       set curflg = 'N',
           recupdt = localtimestamp(0)
     where mapref = p_mapref
       and curflg = 'Y';
  end if;
  -- nxt_run_dt null: dwprc's scheduler computes the first occurrence of the new rule.
  -- lst_run_dt belongs to the MAPREF, not to a version: it is carried over.
  insert into dwjobsch (jobschid, jobflwid, mapref, frqcd, frqdd, frqhh, frqmi, strtdt, enddt,
                        stflg, curflg, dpnd_jobschid, reccrdt, recupdt, schflg,
                        nxt_run_dt, lst_run_dt, nxt_run_sig)
  values (nextval('dwjobschseq'), p_jobflwid, p_mapref, p_frqcd, p_frqdd, p_frqhh, p_frqmi, p_strtdt, p_enddt,
          'A', 'Y', v_current.dpnd_jobschid, localtimestamp(0), localtimestamp(0), coalesce(v_current.schflg, 'N'),
          null, v_current.lst_run_dt, null)
  returning jobschid into v_jobschid;
  -- Children of any earlier version of this MAPREF now hang off the new row.
  update dwjobsch
     set dpnd_jobschid = v_jobschid
   where curflg = 'Y'
     and dpnd_jobschid in (select jobschid from dwjobsch where mapref = p_mapref and jobschid <> v_jobschid);
  return v_jobschid;
end;
$$;

-- Saves the schedule of a MAPREF and returns the jobschid of its current row: the same id when
-- nothing changed, else a new version (schflg and parent kept, children re-pointed).
create or replace function pkgdwprc.create_job_schedule(
  p_mapref varchar,
  p_frqcd varchar,
  p_frqdd varchar,
  p_frqhh varchar,
  p_frqmi varchar,
  p_strtdt timestamp,
  p_enddt timestamp
)
returns bigint
language plpgsql
set search_path from current
as $$
declare
  -- A save that loses a race is repeated on the winner's row; more than this means the row
  -- keeps changing under us.
  c_save_attempts constant integer := 3;
  -- Stored like an Oracle DATE: whole seconds.
  v_strtdt timestamp := date_trunc('second', p_strtdt);
  v_enddt timestamp := date_trunc('second', p_enddt);
  v_message varchar;
  v_jobflwid bigint;
  v_constraint text;
begin
  v_message := pkgdwprc.schedule_error(p_mapref, p_frqcd, p_frqdd, p_frqhh, p_frqmi, v_strtdt, v_enddt);
  if v_message is not null then
    call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_SCHEDULE', 'validate', v_message);
  end if;
  select max(jobflwid) into v_jobflwid
    from dwjobflw
   where mapref = p_mapref
     and curflg = 'Y'
     and stflg = 'A';
  if v_jobflwid is null then
    call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_SCHEDULE', 'validate', format('No active job flow found for mapping %s.', p_mapref));
  end if;
  for v_attempt in 1 .. c_save_attempts loop
    begin
      return pkgdwprc.save_schedule(p_mapref, v_jobflwid, p_frqcd, p_frqdd, p_frqhh, p_frqmi, v_strtdt, v_enddt);
    exception
      when unique_violation then
        -- Only the one-current-row index means "lost the race"; any other key is a real error.
        get stacked diagnostics v_constraint = constraint_name;
        if v_constraint is distinct from 'dwjobsch_one_current' then
          raise;
        end if;
    end;
  end loop;
  call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_SCHEDULE', 'concurrency',
    format('Schedule of mapping %s is being saved by another session at the same time; try again.', p_mapref));
  return null;
end;
$$;

-- p_action E enables (schflg 'Y'), D disables (schflg 'N') the current schedule row.
create or replace function pkgdwprc.enable_disable_schedule(p_mapref varchar, p_action varchar)
returns void
language plpgsql
set search_path from current
as $$
declare
  v_flag varchar(1) := 'N';
  v_current dwjobsch;
begin
  if nullif(trim(p_mapref), '') is null then
    call pkgerr.raise_error('PKGDWPRC', 'ENABLE_DISABLE_SCHEDULE', 'validate', 'Mapping reference not provided.');
  end if;
  if coalesce(upper(nullif(trim(p_action), '')), '#') not in ('E', 'D') then
    call pkgerr.raise_error('PKGDWPRC', 'ENABLE_DISABLE_SCHEDULE', 'validate', 'Action must be provided, valid values are E or D.');
  end if;
  if upper(trim(p_action)) = 'E' then
    v_flag := 'Y';
  end if;
  v_current := pkgdwprc.lock_current(p_mapref);
  if v_current.jobschid is null then
    call pkgerr.raise_error('PKGDWPRC', 'ENABLE_DISABLE_SCHEDULE', 'validate', format('No schedule found for mapping %s.', p_mapref));
  end if;
  -- Enabling again what is enabled changes nothing (its next firing stays as computed).
  -- A real change clears nxt_run_dt: the scheduler computes the first firing from now on.
  if coalesce(v_current.schflg, 'N') <> v_flag then
    update dwjobsch
       set schflg = v_flag,
           nxt_run_dt = null,
           nxt_run_sig = null,
           recupdt = localtimestamp(0)
     where mapref = p_mapref
       and curflg = 'Y';
  end if;
end;
$$;

-- The child runs after each successful run of the parent; an empty parent removes the link.
create or replace function pkgdwprc.create_job_dependency(p_parent_mapref varchar, p_child_mapref varchar)
returns void
language plpgsql
set search_path from current
as $$
declare
  v_child dwjobsch;
  v_parent dwjobsch;
  v_ancestor dwjobsch;
  v_mapref varchar;
  v_steps integer := 0;
  v_limit integer;
begin
  if nullif(trim(p_child_mapref), '') is null then
    call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_DEPENDENCY', 'validate', 'Child mapping reference must be provided.');
  end if;
  if p_parent_mapref = p_child_mapref then
    call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_DEPENDENCY', 'validate', format('A mapping cannot depend on itself (%s).', p_child_mapref));
  end if;
  v_child := pkgdwprc.lock_current(p_child_mapref);
  if v_child.jobschid is null then
    call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_DEPENDENCY', 'validate', format('No schedule found for mapping %s.', p_child_mapref));
  end if;
  if nullif(trim(p_parent_mapref), '') is not null then
    v_parent := pkgdwprc.lock_current(p_parent_mapref);
    if v_parent.jobschid is null then
      call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_DEPENDENCY', 'validate', format('No schedule found for mapping %s.', p_parent_mapref));
    end if;
    -- Walk up from the parent, locking each ancestor's row so that concurrent links cannot
    -- close a cycle together; meeting the child means this link would close one. A chain
    -- longer than the number of current rows is an old loop elsewhere: stop there.
    select count(*) into v_limit from dwjobsch where curflg = 'Y';
    v_ancestor := v_parent;
    while v_ancestor.dpnd_jobschid is not null and v_steps < v_limit loop
      select max(mapref) into v_mapref from dwjobsch where jobschid = v_ancestor.dpnd_jobschid;
      exit when v_mapref is null;
      if v_mapref = p_child_mapref then
        call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_DEPENDENCY', 'validate',
          format('Dependency refused: %s already depends on %s (directly or through other jobs), so %s cannot depend on %s.',
                 p_parent_mapref, p_child_mapref, p_child_mapref, p_parent_mapref));
      end if;
      v_ancestor := pkgdwprc.lock_current(v_mapref);
      exit when v_ancestor.jobschid is null;
      v_steps := v_steps + 1;
    end loop;
  end if;
  -- A child follows its parent instead of its own frequency: its next firing is recomputed.
  if v_child.dpnd_jobschid is distinct from v_parent.jobschid then
    update dwjobsch
       set dpnd_jobschid = v_parent.jobschid,
           nxt_run_dt = null,
           nxt_run_sig = null,
           recupdt = localtimestamp(0)
     where mapref = p_child_mapref
       and curflg = 'Y';
  end if;
end;
$$;

-- Inserts a NEW queue row for dwprc's workers and returns its request_id (a UUID, as the UI writes).
create or replace function pkgdwprc.enqueue(p_mapref varchar, p_request_type varchar, p_payload text)
returns varchar
language plpgsql
set search_path from current
as $$
declare
  v_request_id varchar;
begin
  insert into dwprcreq (request_id, mapref, request_type, payload, status, requested_at)
  values (gen_random_uuid()::text, p_mapref, p_request_type, p_payload, 'NEW', localtimestamp)
  returning request_id into v_request_id;
  return v_request_id;
end;
$$;

-- Queues one run of the MAPREF now.
create or replace function pkgdwprc.schedule_job_immediate(p_mapref varchar)
returns varchar
language plpgsql
as $$
begin
  if nullif(trim(p_mapref), '') is null then
    call pkgerr.raise_error('PKGDWPRC', 'SCHEDULE_JOB_IMMEDIATE', 'validate', 'Mapping reference must be provided.');
  end if;
  return pkgdwprc.enqueue(p_mapref, 'IMMEDIATE', '{}');
end;
$$;

-- Queues a history load, one run per day from p_strtdt to p_enddt; p_tlflg Y truncates first.
-- A missing date stays out of the payload: the worker then uses DWPARAMS HIST_LOAD / yesterday.
create or replace function pkgdwprc.schedule_history_job_immediate(p_mapref varchar, p_strtdt date, p_enddt date, p_tlflg varchar default 'N')
returns varchar
language plpgsql
as $$
declare
  v_truncate varchar(1);
begin
  if nullif(trim(p_mapref), '') is null then
    call pkgerr.raise_error('PKGDWPRC', 'SCHEDULE_HISTORY_JOB_IMMEDIATE', 'validate', 'Mapping reference must be provided.');
  end if;
  if coalesce(upper(nullif(trim(p_tlflg), '')), 'N') not in ('Y', 'N') then
    call pkgerr.raise_error('PKGDWPRC', 'SCHEDULE_HISTORY_JOB_IMMEDIATE', 'validate', 'Truncate flag must be Y or N.');
  end if;
  if p_strtdt > p_enddt then
    call pkgerr.raise_error('PKGDWPRC', 'SCHEDULE_HISTORY_JOB_IMMEDIATE', 'validate', 'History start date must not be after end date.');
  end if;
  v_truncate := coalesce(upper(nullif(trim(p_tlflg), '')), 'N');
  return pkgdwprc.enqueue(p_mapref, 'HISTORY', json_strip_nulls(json_build_object(
    'start_date', to_char(p_strtdt, 'YYYY-MM-DD'),
    'end_date', to_char(p_enddt, 'YYYY-MM-DD'),
    'truncate_flag', v_truncate))::text);
end;
$$;

-- Queues a stop of the MAPREF's run that started at p_strtdt (any of its runs when null). The
-- worker running the flow carries it out; the STOP row's result_payload says what it did.
-- start_timestamp picks the run by its dwprclog.strtdt, to the second.
create or replace function pkgdwprc.stop_running_job(p_mapref varchar, p_strtdt timestamp, p_force varchar default 'Y')
returns varchar
language plpgsql
as $$
declare
  v_force varchar(1);
begin
  if nullif(trim(p_mapref), '') is null then
    call pkgerr.raise_error('PKGDWPRC', 'STOP_RUNNING_JOB', 'validate', 'Mapping reference must be provided.');
  end if;
  if coalesce(upper(nullif(trim(p_force), '')), 'N') not in ('Y', 'N') then
    call pkgerr.raise_error('PKGDWPRC', 'STOP_RUNNING_JOB', 'validate', 'Force flag must be Y or N.');
  end if;
  v_force := coalesce(upper(nullif(trim(p_force), '')), 'N');
  return pkgdwprc.enqueue(p_mapref, 'STOP', json_strip_nulls(json_build_object(
    'force', v_force,
    'start_timestamp', to_char(p_strtdt, 'YYYY-MM-DD HH24:MI:SS')))::text);
end;
$$;
