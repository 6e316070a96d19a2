-- The worker's tables and indexes on Oracle: the twin of sql/postgres/004_worker.sql.
--
-- DWPRCREQ_ONE_RUN: one IMMEDIATE/HISTORY execution per MAPREF at a time, fleet-wide, enforced
-- by the database. A function-based unique index maps every other row to NULL (not indexed).
-- The claim query and the worker's error classification name this index. Where the queue
-- already holds two CLAIMED runs of one MAPREF (left by the Python tool) the index cannot be
-- built: it is skipped with a note; finish or release those rows and run this file again.

DECLARE
  e_name_used EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_name_used, -955);
  v_indexed    PLS_INTEGER;
  v_duplicates PLS_INTEGER;
BEGIN
  SELECT COUNT(*) INTO v_indexed
    FROM ALL_INDEXES
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND INDEX_NAME = 'DWPRCREQ_ONE_RUN';
  SELECT COUNT(*) INTO v_duplicates
    FROM (SELECT MAPREF
            FROM DWPRCREQ
           WHERE STATUS = 'CLAIMED'
             AND UPPER(TRIM(REQUEST_TYPE)) IN ('IMMEDIATE', 'HISTORY')
           GROUP BY MAPREF
          HAVING COUNT(*) > 1);
  IF v_indexed > 0 THEN
    NULL;
  ELSIF v_duplicates > 0 THEN
    DBMS_OUTPUT.PUT_LINE('skipped unique index DWPRCREQ_ONE_RUN: ' || TO_CHAR(v_duplicates)
      || ' MAPREFs have more than one CLAIMED run; finish them and run this file again');
  ELSE
    EXECUTE IMMEDIATE q'[CREATE UNIQUE INDEX DWPRCREQ_ONE_RUN ON DWPRCREQ (
      CASE WHEN STATUS = 'CLAIMED' AND UPPER(TRIM(REQUEST_TYPE)) IN ('IMMEDIATE', 'HISTORY') THEN MAPREF END)]';
    DBMS_OUTPUT.PUT_LINE('created unique index DWPRCREQ_ONE_RUN');
  END IF;
EXCEPTION
  WHEN e_name_used THEN
    NULL;
END;
/

-- The reaper's scan (claimed rows by lease expiry) and DWPRCWRK, the live-worker table that
-- `dwprc status` and `doctor` read; nothing depends on DWPRCWRK for correctness.
DECLARE
  e_name_used EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_name_used, -955);
  v_count PLS_INTEGER;
BEGIN
  SELECT COUNT(*) INTO v_count
    FROM ALL_INDEXES
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND INDEX_NAME = 'DWPRCREQ_LEASE';
  IF v_count = 0 THEN
    BEGIN
      EXECUTE IMMEDIATE 'CREATE INDEX DWPRCREQ_LEASE ON DWPRCREQ (STATUS, LEASE_EXPIRES_AT)';
      DBMS_OUTPUT.PUT_LINE('created index DWPRCREQ_LEASE');
    EXCEPTION
      WHEN e_name_used THEN
        NULL;
    END;
  END IF;

  SELECT COUNT(*) INTO v_count
    FROM ALL_TABLES
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND TABLE_NAME = 'DWPRCWRK';
  IF v_count = 0 THEN
    BEGIN
      EXECUTE IMMEDIATE q'[CREATE TABLE DWPRCWRK (
        WORKER_ID     VARCHAR2(64)   NOT NULL,
        HOST          VARCHAR2(255),
        PID           NUMBER(10),
        VERSION       VARCHAR2(30),
        CONCURRENCY   NUMBER(6),
        RUNNING       NUMBER(6)      DEFAULT 0 NOT NULL,
        STARTED_AT    TIMESTAMP,
        HEARTBEAT_AT  TIMESTAMP,
        CONSTRAINT DWPRCWRK_PK PRIMARY KEY (WORKER_ID))]';
      DBMS_OUTPUT.PUT_LINE('created table DWPRCWRK');
    EXCEPTION
      WHEN e_name_used THEN
        NULL;
    END;
  END IF;
END;
/
