-- At most one current schedule row (curflg = 'Y') per MAPREF, enforced by the database.
-- Twin of sql/oracle/030_dwjobsch_one_current.sql (a unique function-based index there).
--
-- pkgdwprc.create_job_schedule locks the current row before replacing it; this index covers the
-- case where there is no row to lock: two sessions saving the first schedule of a MAPREF at
-- once, or a session whose snapshot missed the row another one just committed. The loser's
-- insert fails on this index and the function retries on the winner's row.
--
-- Where the data already holds duplicates (copied from a DW the original package left them in)
-- the index cannot be built: it is skipped with a notice and `dwprc doctor` reports the MAPREFs.

do $$
begin
  if exists (select 1 from dwjobsch where curflg = 'Y' group by mapref having count(*) > 1) then
    raise notice 'skipped unique index dwjobsch_one_current: some MAPREFs have more than one current schedule row; see dwprc doctor';
  else
    create unique index if not exists dwjobsch_one_current on dwjobsch (mapref) where curflg = 'Y';
  end if;
end;
$$;
