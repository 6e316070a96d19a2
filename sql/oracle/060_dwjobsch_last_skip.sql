-- The misfire policy's latest drop of missed occurrences (the fleet was down), per schedule:
-- the latest occurrence dropped (UTC) and how many. Under DWPRC_MISFIRE=skip nothing else in the
-- database says that a run was missed; `dwprc why` reads it here. Twin of sql/postgres/060_*.
-- Both columns are nullable without a default: rows the web UI writes leave them empty.

DECLARE
  e_column_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_column_exists, -1430);

  PROCEDURE add_column(p_column IN VARCHAR2, p_definition IN VARCHAR2) IS
    v_count PLS_INTEGER;
  BEGIN
    SELECT COUNT(*) INTO v_count
      FROM ALL_TAB_COLUMNS
     WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
       AND TABLE_NAME = 'DWJOBSCH'
       AND COLUMN_NAME = p_column;
    IF v_count = 0 THEN
      EXECUTE IMMEDIATE 'ALTER TABLE DWJOBSCH ADD (' || p_column || ' ' || p_definition || ')';
      DBMS_OUTPUT.PUT_LINE('added column DWJOBSCH.' || p_column);
    END IF;
  EXCEPTION
    WHEN e_column_exists THEN
      NULL;
  END add_column;
BEGIN
  add_column('LST_SKIP_DT', 'TIMESTAMP');
  add_column('LST_SKIP_CNT', 'NUMBER(10)');
END;
/
