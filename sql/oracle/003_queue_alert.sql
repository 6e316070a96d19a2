-- Optional wake-ups on Oracle: the twin of sql/postgres/003_queue_notify.sql, through DBMS_ALERT.
--
-- An AFTER INSERT trigger on DWPRCREQ signals the alert DWPRC_REQUEST, so rows the web UI writes
-- wake idle workers too (workers started with DWPRC_ORACLE_ALERTS=1 wait on it; all workers poll).
-- The trigger is created only when this schema may execute DBMS_ALERT: a probe procedure is
-- compiled first, as the trigger would be, with the owner's direct grants (roles do not count in
-- stored PL/SQL). Without the grant nothing is created and a note says so; after
--   GRANT EXECUTE ON SYS.DBMS_ALERT TO <schema owner>;
-- run this file again (SQL*Plus) to add the trigger.
--
-- The trigger calls DBMS_ALERT through dynamic SQL and ignores any error: a wake-up is only a
-- shortcut, and an INSERT by the web UI must never fail because of it (a static call would make
-- the trigger invalid, and every INSERT fail, once the grant were revoked). The signal is
-- delivered when the inserting transaction commits; it holds the alert's lock until then, so
-- concurrent inserting transactions queue briefly behind each other: one signal per statement.

DECLARE
  e_compiled_with_errors EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_compiled_with_errors, -24344);
  -- One probe per session: two replicas migrating at once must not drop each other's.
  v_probe  VARCHAR2(30) := 'DWPRC_PROBE_' || SYS_CONTEXT('USERENV', 'SID');
  v_status VARCHAR2(7);
BEGIN
  BEGIN
    EXECUTE IMMEDIATE 'CREATE OR REPLACE PROCEDURE ' || v_probe || q'[ IS
BEGIN
  DBMS_ALERT.SIGNAL('DWPRC_PROBE', 'probe');
END;]';
  EXCEPTION
    WHEN e_compiled_with_errors THEN
      NULL;
  END;
  SELECT STATUS INTO v_status
    FROM ALL_OBJECTS
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND OBJECT_NAME = v_probe
     AND OBJECT_TYPE = 'PROCEDURE';
  EXECUTE IMMEDIATE 'DROP PROCEDURE ' || v_probe;
  IF v_status = 'VALID' THEN
    -- A trigger needs the table's DDL lock: wait for open transactions (running workers) instead of failing at once.
    EXECUTE IMMEDIATE 'ALTER SESSION SET DDL_LOCK_TIMEOUT = 60';
    EXECUTE IMMEDIATE q'[CREATE OR REPLACE TRIGGER DWPRCREQ_ALERT
  AFTER INSERT ON DWPRCREQ
BEGIN
  EXECUTE IMMEDIATE 'BEGIN DBMS_ALERT.SIGNAL(:1, :2); END;' USING 'DWPRC_REQUEST', 'request';
EXCEPTION
  WHEN OTHERS THEN
    NULL;
END;]';
    EXECUTE IMMEDIATE 'ALTER SESSION SET DDL_LOCK_TIMEOUT = 0';
    DBMS_OUTPUT.PUT_LINE('created trigger DWPRCREQ_ALERT (DBMS_ALERT wake-ups)');
  ELSE
    DBMS_OUTPUT.PUT_LINE('skipped trigger DWPRCREQ_ALERT: this schema may not execute DBMS_ALERT; '
      || 'GRANT EXECUTE ON SYS.DBMS_ALERT to its owner and run this file again (workers poll meanwhile)');
  END IF;
END;
/
