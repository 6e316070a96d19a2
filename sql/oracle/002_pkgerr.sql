-- PKGERR.RAISE_ERROR(p_mod, p_nam, p_blk, p_msg) raises ORA-20099: the error convention of the
-- original packages, used by PKGDWPRC (sql/oracle/031_pkgdwprc.sql). Twin of pkgerr.raise_error
-- in sql/postgres/002_pkgdwprc.sql (SQLSTATE P0099 there).
--
-- Created only when missing: a live DW already has the original PKGERR, which its other packages
-- (PKGDMS_JOB …) call and which raises ORA-20099 with the same four arguments, so it is kept as
-- it is. The message layout below is the original's: "<mod> - <nam>:-" on the first line,
-- "<blk> : <msg>" on the second, so the web UI shows what it always showed.

DECLARE
  v_count PLS_INTEGER;
BEGIN
  SELECT COUNT(*) INTO v_count
    FROM ALL_OBJECTS
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND OBJECT_NAME = 'PKGERR'
     AND OBJECT_TYPE = 'PACKAGE';
  IF v_count = 0 THEN
    EXECUTE IMMEDIATE q'[CREATE OR REPLACE PACKAGE PKGERR IS
  -- Raises ORA-20099 with the module, subprogram, block and message of the failure.
  PROCEDURE RAISE_ERROR(p_mod IN VARCHAR2, p_nam IN VARCHAR2, p_blk IN VARCHAR2, p_msg IN VARCHAR2);
END PKGERR;]';
    EXECUTE IMMEDIATE q'[CREATE OR REPLACE PACKAGE BODY PKGERR IS
  PROCEDURE RAISE_ERROR(p_mod IN VARCHAR2, p_nam IN VARCHAR2, p_blk IN VARCHAR2, p_msg IN VARCHAR2) IS
    v_msg VARCHAR2(2000);
  BEGIN
    v_msg := SUBSTRB(p_mod || ' - ' || p_nam || ':-' || CHR(10) || p_blk || ' : ' || p_msg, 1, 1800);
    -- Called from an exception handler: keep the error being handled, as the original did.
    IF SQLCODE <> 0 THEN
      v_msg := SUBSTRB(v_msg || CHR(10) || ' Err:' || SQLERRM, 1, 2000);
    END IF;
    RAISE_APPLICATION_ERROR(-20099, v_msg);
  END RAISE_ERROR;
END PKGERR;]';
    DBMS_OUTPUT.PUT_LINE('created package PKGERR');
  END IF;
END;
/

-- CREATE PACKAGE reports compilation errors only as a warning: make them fail the migration.
DECLARE
  v_errors VARCHAR2(4000);
BEGIN
  FOR v_error IN (SELECT TYPE, LINE, TEXT
                    FROM ALL_ERRORS
                   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
                     AND NAME = 'PKGERR'
                     AND ATTRIBUTE = 'ERROR'
                   ORDER BY TYPE, SEQUENCE) LOOP
    v_errors := SUBSTRB(v_errors || CHR(10) || v_error.TYPE || ' line ' || v_error.LINE || ': ' || v_error.TEXT, 1, 1900);
  END LOOP;
  IF v_errors IS NOT NULL THEN
    RAISE_APPLICATION_ERROR(-20098, 'PKGERR does not compile:' || v_errors);
  END IF;
END;
/
