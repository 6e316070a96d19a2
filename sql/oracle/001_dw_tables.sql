-- The DW tables of COMPAT.md on Oracle: the twin of sql/postgres/001_dw_tables.sql.
--
-- One ordered set serves both an empty schema and the user's live DW schema:
--   1. every table is created only when it is missing, in its original shape;
--   2. every sequence is created only when it is missing;
--   3. the columns COMPAT.md marks (added) are added where missing, each with its default;
--   4. the indexes dwprc's queries need are added where no index already covers their columns.
-- So a fresh schema ends up complete, and an existing DW keeps its tables, data, grants and
-- names: only what is missing is added. Nothing is dropped, renamed or altered in place.
--
-- Each step looks in the data dictionary first: the ALL_* views filtered on the current schema,
-- not USER_*, because dwprc may log on as an application user and work in the DW owner's schema
-- (DWPRC_SCHEMA = ALTER SESSION SET CURRENT_SCHEMA). Each step then tolerates exactly the error a
-- concurrent run of the same script would cause (ORA-00955, ORA-01430, ORA-01408), so two
-- replicas migrating at once converge. Any other error stops the script.
--
-- SQL*Plus / SQLcl: every block ends with a line holding only "/"; SET SERVEROUTPUT ON shows
-- what each block added. dwprc's runner records the file in DWPRCVER after the last block.

DECLARE
  e_name_used EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_name_used, -955);

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
BEGIN
  create_table('DWJOB', q'[
    JOBID       NUMBER(12)     NOT NULL,
    MAPREF      VARCHAR2(100)  NOT NULL,
    TRGSCHM     VARCHAR2(30),
    TRGTBNM     VARCHAR2(30),
    STFLG       VARCHAR2(1),
    CURFLG      VARCHAR2(1),
    CONSTRAINT DWJOB_PK PRIMARY KEY (JOBID)]');

  create_table('DWJOBFLW', q'[
    JOBFLWID    NUMBER(12)     NOT NULL,
    JOBID       NUMBER(12),
    MAPREF      VARCHAR2(100)  NOT NULL,
    TRGSCHM     VARCHAR2(30),
    TRGTBTYP    VARCHAR2(10),
    TRGTBNM     VARCHAR2(30),
    DWLOGIC     CLOB,
    STFLG       VARCHAR2(1),
    RECRDT      DATE,
    RECUPDT     DATE,
    CURFLG      VARCHAR2(1),
    CONSTRAINT DWJOBFLW_PK PRIMARY KEY (JOBFLWID)]');

  create_table('DWJOBSCH', q'[
    JOBSCHID       NUMBER(12)     NOT NULL,
    JOBFLWID       NUMBER(12),
    MAPREF         VARCHAR2(100)  NOT NULL,
    FRQCD          VARCHAR2(3),
    FRQDD          VARCHAR2(3),
    FRQHH          VARCHAR2(2),
    FRQMI          VARCHAR2(2),
    STRTDT         DATE,
    ENDDT          DATE,
    STFLG          VARCHAR2(1),
    CURFLG         VARCHAR2(1),
    DPND_JOBSCHID  NUMBER(12),
    RECCRDT        DATE,
    RECUPDT        DATE,
    SCHFLG         VARCHAR2(1),
    CONSTRAINT DWJOBSCH_PK PRIMARY KEY (JOBSCHID)]');

  create_table('DWPRCLOG', q'[
    PRCID       NUMBER(12)     NOT NULL,
    JOBID       NUMBER(12),
    JOBFLWID    NUMBER(12),
    STRTDT      TIMESTAMP,
    ENDDT       TIMESTAMP,
    STATUS      VARCHAR2(2),
    RECCRDT     TIMESTAMP,
    RECUPDT     DATE,
    MSG         VARCHAR2(400),
    PRCLOG      VARCHAR2(4000),
    SESSIONID   NUMBER(30),
    MAPREF      VARCHAR2(100),
    PARAM1 VARCHAR2(250), PARAM2 VARCHAR2(250), PARAM3 VARCHAR2(250), PARAM4 VARCHAR2(250), PARAM5 VARCHAR2(250),
    PARAM6 VARCHAR2(250), PARAM7 VARCHAR2(250), PARAM8 VARCHAR2(250), PARAM9 VARCHAR2(250), PARAM10 VARCHAR2(250),
    CONSTRAINT DWPRCLOG_PK PRIMARY KEY (PRCID)]');

  create_table('DWJOBLOG', q'[
    JOBLOGID    NUMBER(12)     NOT NULL,
    PRCDT       DATE,
    JOBID       NUMBER(12),
    MAPREF      VARCHAR2(100),
    SRCROWS     NUMBER(10),
    TRGROWS     NUMBER(10),
    ERRROWS     NUMBER(10),
    RECCRDT     DATE,
    PRCID       NUMBER(12),
    SESSIONID   NUMBER(30),
    CONSTRAINT DWJOBLOG_PK PRIMARY KEY (JOBLOGID)]');

  create_table('DWJOBERR', q'[
    JOBLOGID    NUMBER(12)     NOT NULL,
    ERRID       NUMBER(12)     NOT NULL,
    PRCDT       DATE,
    JOBID       NUMBER(12),
    MAPREF      VARCHAR2(100),
    ERRTYP      VARCHAR2(10),
    DBERRMSG    VARCHAR2(4000),
    ERRMSG      VARCHAR2(400),
    KEYVALUE    VARCHAR2(400),
    RECCRDT     DATE,
    PRCID       NUMBER(12),
    SESSIONID   NUMBER(30),
    CONSTRAINT DWJOBERR_PK PRIMARY KEY (JOBLOGID, ERRID)]');

  -- The queue, as the Python tool created it; the columns dwprc adds follow in step 3.
  create_table('DWPRCREQ', q'[
    REQUEST_ID      VARCHAR2(64)   NOT NULL,
    MAPREF          VARCHAR2(100)  NOT NULL,
    REQUEST_TYPE    VARCHAR2(30)   NOT NULL,
    PAYLOAD         CLOB,
    STATUS          VARCHAR2(20)   DEFAULT 'NEW',
    REQUESTED_AT    TIMESTAMP      DEFAULT SYSTIMESTAMP,
    CLAIMED_AT      TIMESTAMP,
    CLAIMED_BY      VARCHAR2(64),
    COMPLETED_AT    TIMESTAMP,
    RESULT_PAYLOAD  CLOB,
    CONSTRAINT DWPRCREQ_PK PRIMARY KEY (REQUEST_ID)]');

  create_table('DWPARAMS', q'[
    PRTYP       VARCHAR2(30)   NOT NULL,
    PRCD        VARCHAR2(50)   NOT NULL,
    PRDESC      VARCHAR2(250),
    PRVAL       VARCHAR2(250),
    PRRECCRDT   DATE,
    PRRECUPDT   DATE,
    CONSTRAINT DWPARAMS_PK PRIMARY KEY (PRTYP, PRCD)]');

  create_table('DWMAPR', q'[
    MAPREF      VARCHAR2(100)  NOT NULL,
    TRGSCHM     VARCHAR2(30),
    TRGTBNM     VARCHAR2(30),
    CURFLG      VARCHAR2(1)]');

  create_table('DWMAPRSQL', q'[
    DWMAPRSQLID  NUMBER(12)     NOT NULL,
    DWMAPRSQLCD  VARCHAR2(100)  NOT NULL,
    DWMAPRSQL    CLOB,
    CURFLG       VARCHAR2(1),
    CONSTRAINT DWMAPRSQL_PK PRIMARY KEY (DWMAPRSQLID)]');
END;
/

-- Sequences start at 1 on an empty table. Where the table already holds rows but the sequence
-- is missing, it starts after the highest id, so the first new row cannot collide.
DECLARE
  e_name_used EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_name_used, -955);

  PROCEDURE create_sequence(p_sequence IN VARCHAR2, p_table IN VARCHAR2, p_column IN VARCHAR2) IS
    v_count PLS_INTEGER;
    v_start NUMBER;
  BEGIN
    SELECT COUNT(*) INTO v_count
      FROM ALL_SEQUENCES
     WHERE SEQUENCE_OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
       AND SEQUENCE_NAME = p_sequence;
    IF v_count = 0 THEN
      EXECUTE IMMEDIATE 'SELECT NVL(MAX(' || p_column || '), 0) + 1 FROM ' || p_table INTO v_start;
      EXECUTE IMMEDIATE 'CREATE SEQUENCE ' || p_sequence || ' START WITH ' || TO_CHAR(v_start) || ' INCREMENT BY 1';
      DBMS_OUTPUT.PUT_LINE('created sequence ' || p_sequence || ' starting at ' || TO_CHAR(v_start));
    END IF;
  EXCEPTION
    WHEN e_name_used THEN
      NULL;
  END create_sequence;
BEGIN
  create_sequence('DWJOBSCHSEQ', 'DWJOBSCH', 'JOBSCHID');
  create_sequence('DWPRCLOGSEQ', 'DWPRCLOG', 'PRCID');
  create_sequence('DWJOBLOGSEQ', 'DWJOBLOG', 'JOBLOGID');
  create_sequence('DWJOBERRSEQ', 'DWJOBERR', 'ERRID');
END;
/

-- The columns COMPAT.md marks (added). Each has a default or is nullable, so rows the web UI
-- writes without them stay valid. On Oracle 11g+ adding a NOT NULL column with a default is a
-- dictionary-only change: no table rewrite, no long lock.
DECLARE
  e_column_exists EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_column_exists, -1430);

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
  -- Next and last firing (UTC), and what NXT_RUN_DT was computed from, so in-place edits show.
  add_column('DWJOBSCH', 'NXT_RUN_DT', 'TIMESTAMP');
  add_column('DWJOBSCH', 'LST_RUN_DT', 'TIMESTAMP');
  add_column('DWJOBSCH', 'NXT_RUN_SIG', 'VARCHAR2(200)');
  -- Claiming, leases, retries and stop requests of the queue.
  add_column('DWPRCREQ', 'ATTEMPTS', 'NUMBER DEFAULT 0 NOT NULL');
  add_column('DWPRCREQ', 'RUN_AFTER', 'TIMESTAMP');
  add_column('DWPRCREQ', 'LEASE_EXPIRES_AT', 'TIMESTAMP');
  add_column('DWPRCREQ', 'PRCID', 'NUMBER(12)');
  add_column('DWPRCREQ', 'STOP_REQUESTED', q'[VARCHAR2(1) DEFAULT 'N' NOT NULL]');
  add_column('DWPRCREQ', 'STOP_REQUEST_ID', 'VARCHAR2(64)');
  -- HISTORY progress: the resolved range and the last day finished PC (see the engine).
  add_column('DWPRCREQ', 'PROGRESS', 'VARCHAR2(4000)');
END;
/

-- Indexes for dwprc's lookups. An index is added only when no index of the table already starts
-- with the same columns (whatever its name), so a DBA's own index is reused. On a large live
-- table a DBA may prefer to create these beforehand with ONLINE (Enterprise Edition).
DECLARE
  e_name_used EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_name_used, -955);
  e_already_indexed EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_already_indexed, -1408);
  -- The later tool's DWMAPRSQL names its columns MAPRSQLCD/MAPRSQL: no DWMAPRSQLCD to index there.
  e_no_column EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_no_column, -904);

  PROCEDURE add_index(p_index IN VARCHAR2, p_table IN VARCHAR2, p_columns IN VARCHAR2) IS
    v_count PLS_INTEGER;
  BEGIN
    SELECT COUNT(*) INTO v_count
      FROM (SELECT LISTAGG(COLUMN_NAME, ',') WITHIN GROUP (ORDER BY COLUMN_POSITION) AS COLS
              FROM ALL_IND_COLUMNS
             WHERE TABLE_OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
               AND TABLE_NAME = p_table
             GROUP BY INDEX_OWNER, INDEX_NAME)
     WHERE COLS = p_columns
        OR COLS LIKE p_columns || ',%';
    IF v_count = 0 THEN
      SELECT COUNT(*) INTO v_count
        FROM ALL_INDEXES
       WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
         AND INDEX_NAME = p_index;
      IF v_count > 0 THEN
        DBMS_OUTPUT.PUT_LINE('skipped index ' || p_index || ': the name is used by another index');
      ELSE
        EXECUTE IMMEDIATE 'CREATE INDEX ' || p_index || ' ON ' || p_table || ' (' || p_columns || ')';
        DBMS_OUTPUT.PUT_LINE('created index ' || p_index || ' on ' || p_table || ' (' || p_columns || ')');
      END IF;
    END IF;
  EXCEPTION
    WHEN e_name_used OR e_already_indexed THEN
      NULL;
    WHEN e_no_column THEN
      DBMS_OUTPUT.PUT_LINE('skipped index ' || p_index || ': ' || p_table || ' has no column ' || p_columns || ' (a later naming)');
  END add_index;
BEGIN
  add_index('DWJOBFLW_MAPREF', 'DWJOBFLW', 'MAPREF,CURFLG,STFLG');
  add_index('DWJOBSCH_MAPREF', 'DWJOBSCH', 'MAPREF,CURFLG');
  add_index('DWJOBSCH_PARENT', 'DWJOBSCH', 'DPND_JOBSCHID');
  -- How a DWLOGIC block finds its own row (MAPREF + SESSIONID + STATUS='IP').
  add_index('DWPRCLOG_SESSION', 'DWPRCLOG', 'SESSIONID,STATUS');
  add_index('DWPRCLOG_MAPREF', 'DWPRCLOG', 'MAPREF,PRCID');
  add_index('DWJOBLOG_PRCID', 'DWJOBLOG', 'PRCID');
  add_index('DWJOBERR_PRCID', 'DWJOBERR', 'PRCID');
  add_index('DWPRCREQ_STATUS', 'DWPRCREQ', 'STATUS,REQUESTED_AT');
  add_index('DWPRCREQ_MAPREF', 'DWPRCREQ', 'MAPREF');
  add_index('DWMAPR_MAPREF', 'DWMAPR', 'MAPREF,CURFLG');
  add_index('DWMAPRSQL_CODE', 'DWMAPRSQL', 'DWMAPRSQLCD,CURFLG');
END;
/
