-- Columns dwprc needs that a schema made by the later tool's own install script lacks (its
-- DWJOBSCH has STRDT/ENABLEFLG instead, no JOBFLWID or STFLG; its DWJOBERR has no RECCRDT).
-- Added empty and nullable, so that nothing the tool writes changes meaning; what cannot be
-- reconciled this way `dwprc db migrate` and `doctor` name (db/schemaDrift.ts). Twin of
-- sql/postgres/070_existing_schema.sql; like 001, each column only when ALL_TAB_COLUMNS lacks it,
-- tolerating the ORA-01430 of a replica adding it at the same moment.
DECLARE
  e_column_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_column_exists, -1430);
  v_count PLS_INTEGER;
BEGIN
  FOR v_col IN (SELECT 'DWJOBSCH' AS t, 'JOBFLWID' AS c, 'NUMBER(12)' AS d FROM DUAL
            UNION ALL SELECT 'DWJOBSCH', 'STRTDT', 'DATE' FROM DUAL
            UNION ALL SELECT 'DWJOBSCH', 'STFLG', 'VARCHAR2(1)' FROM DUAL
            UNION ALL SELECT 'DWJOBSCH', 'SCHFLG', 'VARCHAR2(1)' FROM DUAL
            UNION ALL SELECT 'DWJOBERR', 'RECCRDT', 'DATE' FROM DUAL) LOOP
    SELECT COUNT(*) INTO v_count
      FROM ALL_TAB_COLUMNS
     WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
       AND TABLE_NAME = v_col.t
       AND COLUMN_NAME = v_col.c;
    IF v_count = 0 THEN
      BEGIN
        EXECUTE IMMEDIATE 'ALTER TABLE ' || v_col.t || ' ADD (' || v_col.c || ' ' || v_col.d || ')';
        DBMS_OUTPUT.PUT_LINE('added column ' || v_col.t || '.' || v_col.c);
      EXCEPTION
        WHEN e_column_exists THEN
          NULL;
      END;
    END IF;
  END LOOP;
END;
/
