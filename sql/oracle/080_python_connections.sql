-- Where a Python flow's source and target connections come from (COMPAT.md, the later tool):
-- DWDBCONDTLS holds the connections, DWJOB.TRGCONID names a flow's target, and the SQLCONID of
-- the DWMAPRSQL row its first current DWJOBDTL row uses names its source. Created only where
-- missing; every column nullable, so rows the web UI writes stay valid. Twin of sql/postgres/080_*.

DECLARE
  e_name_used EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_name_used, -955);
  e_column_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_column_exists, -1430);

  PROCEDURE create_table(p_table IN VARCHAR2, p_columns IN VARCHAR2) IS
    v_count PLS_INTEGER;
  BEGIN
    SELECT COUNT(*) INTO v_count
      FROM ALL_TABLES
     WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
       AND TABLE_NAME = p_table;
    IF v_count = 0 THEN
      EXECUTE IMMEDIATE 'CREATE TABLE ' || p_table || ' (' || p_columns || ')';
      DBMS_OUTPUT.PUT_LINE('created table ' || p_table);
    END IF;
  EXCEPTION
    WHEN e_name_used THEN
      NULL;
  END create_table;

  PROCEDURE add_column(p_table IN VARCHAR2, p_column IN VARCHAR2, p_definition IN VARCHAR2) IS
    v_count PLS_INTEGER;
  BEGIN
    SELECT COUNT(*) INTO v_count
      FROM ALL_TAB_COLUMNS
     WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
       AND TABLE_NAME = p_table
       AND COLUMN_NAME = p_column;
    IF v_count = 0 THEN
      EXECUTE IMMEDIATE 'ALTER TABLE ' || p_table || ' ADD (' || p_column || ' ' || p_definition || ')';
      DBMS_OUTPUT.PUT_LINE('added column ' || p_table || '.' || p_column);
    END IF;
  EXCEPTION
    WHEN e_column_exists THEN
      NULL;
  END add_column;
BEGIN
  create_table('DWDBCONDTLS', q'[
    CONID    NUMBER(12)     NOT NULL,
    CONNM    VARCHAR2(100),
    DBHOST   VARCHAR2(100),
    DBPORT   VARCHAR2(10),
    DBSRVNM  VARCHAR2(100),
    USRNM    VARCHAR2(100),
    SCHNM    VARCHAR2(30),
    PASSWD   VARCHAR2(200),
    CONSTR   VARCHAR2(1000),
    DBTYP    VARCHAR2(30),
    CURFLG   VARCHAR2(1),
    CONSTRAINT DWDBCONDTLS_PK PRIMARY KEY (CONID)]');
  create_table('DWJOBDTL', q'[
    JOBDTLID   NUMBER(12)     NOT NULL,
    MAPREF     VARCHAR2(100)  NOT NULL,
    MAPRSQLCD  VARCHAR2(100),
    CURFLG     VARCHAR2(1),
    CONSTRAINT DWJOBDTL_PK PRIMARY KEY (JOBDTLID)]');
  add_column('DWJOB', 'TRGCONID', 'NUMBER(12)');
  add_column('DWMAPRSQL', 'SQLCONID', 'NUMBER(12)');
END;
/
