-- At most one current schedule row (CURFLG='Y') per MAPREF, enforced by the database.
-- Twin of sql/postgres/030_dwjobsch_one_current.sql (a partial unique index there).
--
-- PKGDWPRC.CREATE_JOB_SCHEDULE locks the current row before replacing it; this index covers the
-- case where there is no row to lock yet: two sessions saving the first schedule of a MAPREF
-- at once. The loser's INSERT fails on the index and the package retries on the winner's row.
-- Rows with CURFLG other than 'Y' map to NULL and are not indexed at all.
--
-- The original package could leave two current rows for a MAPREF (it looked rows up by flow
-- version). Where the data already has such duplicates the index cannot be built: it is then
-- skipped, with a note, and `dwprc doctor` lists the MAPREFs concerned and the statement to run
-- once they are cleaned up.

DECLARE
  e_name_used EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_name_used, -955);
  v_indexed    PLS_INTEGER;
  v_duplicates PLS_INTEGER;
BEGIN
  SELECT COUNT(*) INTO v_indexed
    FROM ALL_INDEXES
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND INDEX_NAME = 'DWJOBSCH_ONE_CURRENT';
  SELECT COUNT(*) INTO v_duplicates
    FROM (SELECT MAPREF
            FROM DWJOBSCH
           WHERE CURFLG = 'Y'
           GROUP BY MAPREF
          HAVING COUNT(*) > 1);
  IF v_indexed > 0 THEN
    NULL;
  ELSIF v_duplicates > 0 THEN
    DBMS_OUTPUT.PUT_LINE('skipped unique index DWJOBSCH_ONE_CURRENT: ' || TO_CHAR(v_duplicates)
      || ' MAPREFs have more than one current schedule row; see dwprc doctor');
  ELSE
    EXECUTE IMMEDIATE q'[CREATE UNIQUE INDEX DWJOBSCH_ONE_CURRENT ON DWJOBSCH (CASE WHEN CURFLG = 'Y' THEN MAPREF END)]';
    DBMS_OUTPUT.PUT_LINE('created unique index DWJOBSCH_ONE_CURRENT');
  END IF;
EXCEPTION
  WHEN e_name_used THEN
    NULL;
END;
/
