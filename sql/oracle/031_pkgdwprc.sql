-- PKGDWPRC, slim: the compatibility package dwprc puts in place of the original PKGDWPRC.
--
-- Kept with the original signatures (the callers are generated DWLOGIC blocks and the web UI):
--   CREATE_JOB_LOG, LOG_JOB_ERROR            what DWLOGIC calls (COMPAT.md "DWLOGIC contract")
--   CREATE_JOB_SCHEDULE                      save a schedule; returns its JOBSCHID
--   ENABLE_DISABLE_SCHEDULE                  E / D: SCHFLG of the current schedule row
--   CREATE_JOB_DEPENDENCY                    link a child schedule to its parent (or unlink)
--   SCHEDULE_JOB_IMMEDIATE                   run now        -> DWPRCREQ row IMMEDIATE
--   SCHEDULE_HISTORY_JOB_IMMEDIATE           history load   -> DWPRCREQ row HISTORY
--   STOP_RUNNING_JOB                         stop a run     -> DWPRCREQ row STOP
-- The scheduling entry points write DWJOBSCH / DWPRCREQ rows that dwprc's workers act on; there
-- are no DBMS_SCHEDULER jobs any more. PROCESS_JOB_FLOW, SCHEDULE_JOB and the other internals of
-- the original are gone on purpose: an old scheduler job that still calls them fails instead of
-- running a flow a second time beside dwprc.
--
-- Twin: sql/postgres/002_pkgdwprc.sql and sql/postgres/031_pkgdwprc_schedule.sql (same names,
-- order of checks, messages and effects; test/oracle/plsqlCheck.ts compares the parameter lists).
-- Errors for the user are raised through PKGERR.RAISE_ERROR (ORA-20099); the last part of the
-- message is exactly the text of COMPAT.md. Nothing here commits: the caller does (the web UI
-- commits after each call), and a failed call leaves nothing behind.

-- The first time this replaces a PKGDWPRC that is not dwprc's (the original, with its
-- DBMS_SCHEDULER code), its source is copied to table DWPRC_PKGDWPRC_SRC, so it can be restored.
DECLARE
  v_package PLS_INTEGER;
  v_ours    PLS_INTEGER;
  v_saved   PLS_INTEGER;
BEGIN
  SELECT COUNT(*) INTO v_package
    FROM ALL_OBJECTS
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND OBJECT_NAME = 'PKGDWPRC'
     AND OBJECT_TYPE = 'PACKAGE';
  SELECT COUNT(*) INTO v_ours
    FROM ALL_SOURCE
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND NAME = 'PKGDWPRC'
     AND TYPE = 'PACKAGE'
     AND TEXT LIKE '%dwprc compatibility package%';
  SELECT COUNT(*) INTO v_saved
    FROM ALL_TABLES
   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
     AND TABLE_NAME = 'DWPRC_PKGDWPRC_SRC';
  IF v_package > 0 AND v_ours = 0 AND v_saved = 0 THEN
    EXECUTE IMMEDIATE q'[CREATE TABLE DWPRC_PKGDWPRC_SRC AS
      SELECT NAME, TYPE, LINE, TEXT, SYSTIMESTAMP AS SAVED_AT
        FROM ALL_SOURCE
       WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
         AND NAME = 'PKGDWPRC']';
    DBMS_OUTPUT.PUT_LINE('saved the source of the previous PKGDWPRC in DWPRC_PKGDWPRC_SRC');
  END IF;
END;
/

CREATE OR REPLACE PACKAGE PKGDWPRC IS
  -- dwprc compatibility package (sql/oracle/031_pkgdwprc.sql); the original is in DWPRC_PKGDWPRC_SRC.

  -- Writes the row counts of a run (DWJOBLOG). A NULL id takes the next DWJOBLOGSEQ value.
  PROCEDURE CREATE_JOB_LOG(p_joblogid  IN OUT DWJOBLOG.JOBLOGID%TYPE,
                           p_sessionid IN     DWJOBLOG.SESSIONID%TYPE,
                           p_prcid     IN     DWJOBLOG.PRCID%TYPE,
                           p_prcdt     IN     DWJOBLOG.PRCDT%TYPE,
                           p_mapref    IN     DWJOBLOG.MAPREF%TYPE,
                           p_jobid     IN     DWJOBLOG.JOBID%TYPE,
                           p_srcrows   IN     DWJOBLOG.SRCROWS%TYPE,
                           p_trgrows   IN     DWJOBLOG.TRGROWS%TYPE,
                           p_errrows   IN     DWJOBLOG.ERRROWS%TYPE);

  -- Records one error of a run (DWJOBERR) and marks the run's DWPRCLOG row FL.
  PROCEDURE LOG_JOB_ERROR(p_joblogid  IN DWJOBERR.JOBLOGID%TYPE,
                          p_sessionid IN DWJOBERR.SESSIONID%TYPE,
                          p_prcid     IN DWJOBERR.PRCID%TYPE,
                          p_prcdt     IN DWJOBERR.PRCDT%TYPE,
                          p_jobid     IN DWJOBERR.JOBID%TYPE,
                          p_mapref    IN DWJOBERR.MAPREF%TYPE,
                          p_errtyp    IN DWJOBERR.ERRTYP%TYPE,
                          p_dberrmsg  IN DWJOBERR.DBERRMSG%TYPE,
                          p_errmsg    IN DWJOBERR.ERRMSG%TYPE,
                          p_keyvalue  IN DWJOBERR.KEYVALUE%TYPE);

  -- Saves the schedule of a MAPREF and returns the JOBSCHID of its current row: the same id when
  -- nothing changed, else a new version (SCHFLG and parent kept, children re-pointed).
  FUNCTION CREATE_JOB_SCHEDULE(p_mapref IN DWJOBSCH.MAPREF%TYPE,
                               p_frqcd  IN DWJOBSCH.FRQCD%TYPE,
                               p_frqdd  IN DWJOBSCH.FRQDD%TYPE,
                               p_frqhh  IN DWJOBSCH.FRQHH%TYPE,
                               p_frqmi  IN DWJOBSCH.FRQMI%TYPE,
                               p_strtdt IN DWJOBSCH.STRTDT%TYPE,
                               p_enddt  IN DWJOBSCH.ENDDT%TYPE)
    RETURN DWJOBSCH.JOBSCHID%TYPE;

  -- p_action E enables (SCHFLG 'Y'), D disables (SCHFLG 'N') the current schedule row.
  PROCEDURE ENABLE_DISABLE_SCHEDULE(p_mapref IN DWJOBSCH.MAPREF%TYPE,
                                    p_action IN VARCHAR2);

  -- The child runs after each successful run of the parent; an empty parent removes the link.
  PROCEDURE CREATE_JOB_DEPENDENCY(p_parent_mapref IN DWJOBSCH.MAPREF%TYPE,
                                  p_child_mapref  IN DWJOBSCH.MAPREF%TYPE);

  -- Queues one run of the MAPREF now.
  PROCEDURE SCHEDULE_JOB_IMMEDIATE(p_mapref IN DWJOBSCH.MAPREF%TYPE);

  -- Queues a history load, one run per day from p_strtdt to p_enddt; p_tlflg Y truncates first.
  PROCEDURE SCHEDULE_HISTORY_JOB_IMMEDIATE(p_mapref IN DWJOBSCH.MAPREF%TYPE,
                                           p_strtdt IN DATE,
                                           p_enddt  IN DATE,
                                           p_tlflg  IN VARCHAR2 DEFAULT 'N');

  -- Queues a stop of the MAPREF's run that started at p_strtdt (any of its runs when NULL).
  -- p_err stays NULL when the stop was queued (the web UI treats any text there as a failure).
  PROCEDURE STOP_RUNNING_JOB(p_mapref IN DWPRCLOG.MAPREF%TYPE,
                             p_strtdt IN DWPRCLOG.STRTDT%TYPE,
                             p_force  IN VARCHAR2 DEFAULT 'Y',
                             p_err    OUT VARCHAR2);
END PKGDWPRC;
/

CREATE OR REPLACE PACKAGE BODY PKGDWPRC IS
  c_package CONSTANT VARCHAR2(30) := 'PKGDWPRC';
  -- A save that loses a race with another session's save of the same MAPREF is repeated on the
  -- winner's row; more attempts than this means the row keeps changing under us.
  c_save_attempts CONSTANT PLS_INTEGER := 3;

  -- Every current schedule row of a MAPREF, newest first; opening it locks them all.
  CURSOR c_current(p_mapref IN DWJOBSCH.MAPREF%TYPE) IS
    SELECT JOBSCHID, JOBFLWID, MAPREF, FRQCD, FRQDD, FRQHH, FRQMI, STRTDT, ENDDT,
           SCHFLG, DPND_JOBSCHID, LST_RUN_DT
      FROM DWJOBSCH
     WHERE MAPREF = p_mapref
       AND CURFLG = 'Y'
     ORDER BY JOBSCHID DESC
       FOR UPDATE;

  FUNCTION SAME_TEXT(p_a IN VARCHAR2, p_b IN VARCHAR2) RETURN BOOLEAN IS
  BEGIN
    IF p_a = p_b OR (p_a IS NULL AND p_b IS NULL) THEN
      RETURN TRUE;
    END IF;
    RETURN FALSE;
  END SAME_TEXT;

  FUNCTION SAME_DATE(p_a IN DATE, p_b IN DATE) RETURN BOOLEAN IS
  BEGIN
    IF p_a = p_b OR (p_a IS NULL AND p_b IS NULL) THEN
      RETURN TRUE;
    END IF;
    RETURN FALSE;
  END SAME_DATE;

  FUNCTION SAME_NUMBER(p_a IN NUMBER, p_b IN NUMBER) RETURN BOOLEAN IS
  BEGIN
    IF p_a = p_b OR (p_a IS NULL AND p_b IS NULL) THEN
      RETURN TRUE;
    END IF;
    RETURN FALSE;
  END SAME_NUMBER;

  -- Digits only (leading zeros welcome), at most p_digits of them, value in p_low .. p_high.
  -- No sign, blank or decimal point: the scheduler reads these texts as whole numbers.
  FUNCTION NUMBER_BETWEEN(p_text IN VARCHAR2, p_digits IN PLS_INTEGER, p_low IN PLS_INTEGER, p_high IN PLS_INTEGER)
    RETURN BOOLEAN IS
  BEGIN
    IF p_text IS NULL OR LENGTH(p_text) > p_digits OR NOT REGEXP_LIKE(p_text, '^[0-9]+$') THEN
      RETURN FALSE;
    END IF;
    RETURN TO_NUMBER(p_text) BETWEEN p_low AND p_high;
  END NUMBER_BETWEEN;

  -- The first rule a schedule breaks (COMPAT.md, rules 1 to 9, in order), or NULL when it breaks none.
  FUNCTION SCHEDULE_ERROR(p_mapref IN VARCHAR2,
                          p_frqcd  IN VARCHAR2,
                          p_frqdd  IN VARCHAR2,
                          p_frqhh  IN VARCHAR2,
                          p_frqmi  IN VARCHAR2,
                          p_strtdt IN DATE,
                          p_enddt  IN DATE)
    RETURN VARCHAR2 IS
    -- Intraday with hour -1: every FRQMI minutes, so FRQMI 0 makes no sense there.
    v_every_minutes BOOLEAN := FALSE;
    v_first_minute  PLS_INTEGER := 0;
  BEGIN
    IF p_frqcd = 'ID' AND p_frqhh = '-1' THEN
      v_every_minutes := TRUE;
      v_first_minute := 1;
    END IF;
    IF TRIM(p_mapref) IS NULL THEN
      RETURN 'Mapping reference must be provided.';
    END IF;
    IF p_frqcd IS NULL OR p_frqcd NOT IN ('ID', 'DL', 'WK', 'FN', 'MN', 'HY', 'YR') THEN
      RETURN 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).';
    END IF;
    IF p_frqcd IN ('WK', 'FN') AND (p_frqdd IS NULL OR p_frqdd NOT IN ('MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN')) THEN
      RETURN 'Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".';
    END IF;
    IF p_frqcd IN ('MN', 'HY', 'YR') AND NOT NUMBER_BETWEEN(p_frqdd, 3, 1, 31) THEN
      RETURN 'Invalid frequency day (Valid: 1 .. 31).';
    END IF;
    IF NOT v_every_minutes AND NOT NUMBER_BETWEEN(p_frqhh, 2, 0, 23) THEN
      RETURN 'Invalid frequency hour (valid: 0 .. 23).';
    END IF;
    IF NOT NUMBER_BETWEEN(p_frqmi, 2, v_first_minute, 59) THEN
      RETURN 'Invalid frequency minute (valid: 0 .. 59).';
    END IF;
    IF p_strtdt IS NULL THEN
      RETURN 'Schedule start date must be provided.';
    END IF;
    IF p_strtdt < TRUNC(SYSDATE) THEN
      RETURN 'Schedule start date must not be in past.';
    END IF;
    IF p_enddt IS NOT NULL AND p_strtdt >= p_enddt THEN
      RETURN 'Schedule start date must be before schedule end date.';
    END IF;
    RETURN NULL;
  END SCHEDULE_ERROR;

  -- Locks every current row of the MAPREF and returns the newest (all fields NULL when none).
  FUNCTION LOCK_CURRENT(p_mapref IN DWJOBSCH.MAPREF%TYPE) RETURN c_current%ROWTYPE IS
    v_newest c_current%ROWTYPE;
  BEGIN
    -- A package cursor outlives a failed call in the session: never trip over one left open.
    IF c_current%ISOPEN THEN
      CLOSE c_current;
    END IF;
    OPEN c_current(p_mapref);
    FETCH c_current INTO v_newest;
    CLOSE c_current;
    RETURN v_newest;
  END LOCK_CURRENT;

  -- One attempt at saving: the current row is locked first, so a concurrent save of the same
  -- MAPREF waits here, then sees this one's row. Fails with DUP_VAL_ON_INDEX on
  -- DWJOBSCH_ONE_CURRENT when another session saved the first row of the MAPREF meanwhile.
  FUNCTION SAVE_SCHEDULE(p_mapref   IN DWJOBSCH.MAPREF%TYPE,
                         p_jobflwid IN DWJOBSCH.JOBFLWID%TYPE,
                         p_frqcd    IN DWJOBSCH.FRQCD%TYPE,
                         p_frqdd    IN DWJOBSCH.FRQDD%TYPE,
                         p_frqhh    IN DWJOBSCH.FRQHH%TYPE,
                         p_frqmi    IN DWJOBSCH.FRQMI%TYPE,
                         p_strtdt   IN DWJOBSCH.STRTDT%TYPE,
                         p_enddt    IN DWJOBSCH.ENDDT%TYPE)
    RETURN DWJOBSCH.JOBSCHID%TYPE IS
    v_current  c_current%ROWTYPE;
    v_jobschid DWJOBSCH.JOBSCHID%TYPE;
  BEGIN
    v_current := LOCK_CURRENT(p_mapref);
    IF v_current.JOBSCHID IS NOT NULL
       AND SAME_TEXT(v_current.FRQCD, p_frqcd) AND SAME_TEXT(v_current.FRQDD, p_frqdd)
       AND SAME_TEXT(v_current.FRQHH, p_frqhh) AND SAME_TEXT(v_current.FRQMI, p_frqmi)
       AND SAME_DATE(v_current.STRTDT, p_strtdt) AND SAME_DATE(v_current.ENDDT, p_enddt) THEN
      -- Unchanged: same row, same id. It follows the current flow version, because the web UI
      -- finds a flow's schedule through JOBFLWID.
      IF NOT SAME_NUMBER(v_current.JOBFLWID, p_jobflwid) THEN
        UPDATE DWJOBSCH
           SET JOBFLWID = p_jobflwid
         WHERE JOBSCHID = v_current.JOBSCHID;
      END IF;
      RETURN v_current.JOBSCHID;
    END IF;
    IF v_current.JOBSCHID IS NOT NULL THEN
      UPDATE DWJOBSCH
         SET CURFLG = 'N',
             RECUPDT = SYSDATE
       WHERE MAPREF = p_mapref
         AND CURFLG = 'Y';
    END IF;
    -- NXT_RUN_DT NULL: dwprc's scheduler computes the first occurrence of the new rule.
    -- LST_RUN_DT belongs to the MAPREF, not to a version: it is carried over.
    INSERT INTO DWJOBSCH (JOBSCHID, JOBFLWID, MAPREF, FRQCD, FRQDD, FRQHH, FRQMI, STRTDT, ENDDT,
                          STFLG, CURFLG, DPND_JOBSCHID, RECCRDT, RECUPDT, SCHFLG,
                          NXT_RUN_DT, LST_RUN_DT, NXT_RUN_SIG)
    VALUES (DWJOBSCHSEQ.NEXTVAL, p_jobflwid, p_mapref, p_frqcd, p_frqdd, p_frqhh, p_frqmi, p_strtdt, p_enddt,
            'A', 'Y', v_current.DPND_JOBSCHID, SYSDATE, SYSDATE, NVL(v_current.SCHFLG, 'N'),
            NULL, v_current.LST_RUN_DT, NULL)
    RETURNING JOBSCHID INTO v_jobschid;
    -- Children of any earlier version of this MAPREF now hang off the new row.
    UPDATE DWJOBSCH
       SET DPND_JOBSCHID = v_jobschid
     WHERE CURFLG = 'Y'
       AND DPND_JOBSCHID IN (SELECT JOBSCHID
                               FROM DWJOBSCH
                              WHERE MAPREF = p_mapref
                                AND JOBSCHID <> v_jobschid);
    RETURN v_jobschid;
  END SAVE_SCHEDULE;

  -- Inserts a NEW queue row for dwprc's workers and returns its REQUEST_ID (a UUID, as the UI writes).
  FUNCTION ENQUEUE(p_mapref       IN DWPRCREQ.MAPREF%TYPE,
                   p_request_type IN DWPRCREQ.REQUEST_TYPE%TYPE,
                   p_payload      IN VARCHAR2)
    RETURN DWPRCREQ.REQUEST_ID%TYPE IS
    v_request_id DWPRCREQ.REQUEST_ID%TYPE;
  BEGIN
    INSERT INTO DWPRCREQ (REQUEST_ID, MAPREF, REQUEST_TYPE, PAYLOAD, STATUS, REQUESTED_AT)
    VALUES (LOWER(REGEXP_REPLACE(RAWTOHEX(SYS_GUID()), '^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\1-\2-\3-\4-\5')),
            p_mapref, p_request_type, p_payload, 'NEW', SYSTIMESTAMP)
    RETURNING REQUEST_ID INTO v_request_id;
    RETURN v_request_id;
  END ENQUEUE;

  -- ,"name":"value" for a JSON object, or nothing when the value is NULL. Only for values this
  -- package formats itself (dates, Y/N), which need no escaping.
  FUNCTION JSON_PAIR(p_name IN VARCHAR2, p_value IN VARCHAR2) RETURN VARCHAR2 IS
  BEGIN
    IF p_value IS NULL THEN
      RETURN NULL;
    END IF;
    RETURN ',"' || p_name || '":"' || p_value || '"';
  END JSON_PAIR;

  PROCEDURE CREATE_JOB_LOG(p_joblogid  IN OUT DWJOBLOG.JOBLOGID%TYPE,
                           p_sessionid IN     DWJOBLOG.SESSIONID%TYPE,
                           p_prcid     IN     DWJOBLOG.PRCID%TYPE,
                           p_prcdt     IN     DWJOBLOG.PRCDT%TYPE,
                           p_mapref    IN     DWJOBLOG.MAPREF%TYPE,
                           p_jobid     IN     DWJOBLOG.JOBID%TYPE,
                           p_srcrows   IN     DWJOBLOG.SRCROWS%TYPE,
                           p_trgrows   IN     DWJOBLOG.TRGROWS%TYPE,
                           p_errrows   IN     DWJOBLOG.ERRROWS%TYPE) IS
  BEGIN
    -- The original failed on a NULL id; generated blocks that pass one get a fresh id back.
    IF p_joblogid IS NULL THEN
      SELECT DWJOBLOGSEQ.NEXTVAL INTO p_joblogid FROM DUAL;
    END IF;
    INSERT INTO DWJOBLOG (JOBLOGID, PRCDT, JOBID, MAPREF, SRCROWS, TRGROWS, ERRROWS, RECCRDT, PRCID, SESSIONID)
    VALUES (p_joblogid, p_prcdt, p_jobid, p_mapref, p_srcrows, p_trgrows, p_errrows, SYSDATE, p_prcid, p_sessionid);
  END CREATE_JOB_LOG;

  PROCEDURE LOG_JOB_ERROR(p_joblogid  IN DWJOBERR.JOBLOGID%TYPE,
                          p_sessionid IN DWJOBERR.SESSIONID%TYPE,
                          p_prcid     IN DWJOBERR.PRCID%TYPE,
                          p_prcdt     IN DWJOBERR.PRCDT%TYPE,
                          p_jobid     IN DWJOBERR.JOBID%TYPE,
                          p_mapref    IN DWJOBERR.MAPREF%TYPE,
                          p_errtyp    IN DWJOBERR.ERRTYP%TYPE,
                          p_dberrmsg  IN DWJOBERR.DBERRMSG%TYPE,
                          p_errmsg    IN DWJOBERR.ERRMSG%TYPE,
                          p_keyvalue  IN DWJOBERR.KEYVALUE%TYPE) IS
    -- Cut in PL/SQL, by bytes: a longer text would fail the INSERT (ORA-12899 / ORA-01461)
    -- and hide the error being logged.
    v_dberrmsg DWJOBERR.DBERRMSG%TYPE := SUBSTRB(p_dberrmsg, 1, 4000);
    v_errmsg   DWJOBERR.ERRMSG%TYPE   := SUBSTRB(p_errmsg, 1, 400);
    v_keyvalue DWJOBERR.KEYVALUE%TYPE := SUBSTRB(p_keyvalue, 1, 400);
  BEGIN
    -- An error before any CREATE_JOB_LOG has no job-log id: 0 keeps the primary key whole.
    INSERT INTO DWJOBERR (JOBLOGID, ERRID, PRCDT, JOBID, MAPREF, ERRTYP, DBERRMSG, ERRMSG, KEYVALUE,
                          RECCRDT, PRCID, SESSIONID)
    VALUES (NVL(p_joblogid, 0), DWJOBERRSEQ.NEXTVAL, p_prcdt, p_jobid, p_mapref, NVL(p_errtyp, 'ERR'),
            v_dberrmsg, v_errmsg, v_keyvalue, SYSDATE, p_prcid, p_sessionid);
    -- dwprc turns FL back into PC when the block still returns normally (row errors that did
    -- not stop the run), keeping MSG: the last error's text. Warnings and notes leave the run be.
    UPDATE DWPRCLOG
       SET STATUS = 'FL',
           MSG = NVL(v_errmsg, SUBSTRB(v_dberrmsg, 1, 400)),
           RECUPDT = SYSDATE
     WHERE PRCID = p_prcid
       AND STATUS IN ('IP', 'FL')
       AND NVL(p_errtyp, 'ERR') = 'ERR';
  END LOG_JOB_ERROR;

  FUNCTION CREATE_JOB_SCHEDULE(p_mapref IN DWJOBSCH.MAPREF%TYPE,
                               p_frqcd  IN DWJOBSCH.FRQCD%TYPE,
                               p_frqdd  IN DWJOBSCH.FRQDD%TYPE,
                               p_frqhh  IN DWJOBSCH.FRQHH%TYPE,
                               p_frqmi  IN DWJOBSCH.FRQMI%TYPE,
                               p_strtdt IN DWJOBSCH.STRTDT%TYPE,
                               p_enddt  IN DWJOBSCH.ENDDT%TYPE)
    RETURN DWJOBSCH.JOBSCHID%TYPE IS
    c_procedure CONSTANT VARCHAR2(30) := 'CREATE_JOB_SCHEDULE';
    v_message  VARCHAR2(400);
    v_jobflwid DWJOBFLW.JOBFLWID%TYPE;
  BEGIN
    v_message := SCHEDULE_ERROR(p_mapref, p_frqcd, p_frqdd, p_frqhh, p_frqmi, p_strtdt, p_enddt);
    IF v_message IS NOT NULL THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', v_message);
    END IF;
    SELECT MAX(JOBFLWID) INTO v_jobflwid
      FROM DWJOBFLW
     WHERE MAPREF = p_mapref
       AND CURFLG = 'Y'
       AND STFLG = 'A';
    IF v_jobflwid IS NULL THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'No active job flow found for mapping ' || p_mapref || '.');
    END IF;
    FOR v_attempt IN 1 .. c_save_attempts LOOP
      SAVEPOINT dwprc_schedule_save;
      BEGIN
        RETURN SAVE_SCHEDULE(p_mapref, v_jobflwid, p_frqcd, p_frqdd, p_frqhh, p_frqmi, p_strtdt, p_enddt);
      EXCEPTION
        WHEN DUP_VAL_ON_INDEX THEN
          -- Only the one-current-row index means "lost the race"; any other key is a real error.
          IF INSTR(SQLERRM, 'DWJOBSCH_ONE_CURRENT') = 0 THEN
            RAISE;
          END IF;
          ROLLBACK TO SAVEPOINT dwprc_schedule_save;
      END;
    END LOOP;
    PKGERR.RAISE_ERROR(c_package, c_procedure, 'concurrency',
      'Schedule of mapping ' || p_mapref || ' is being saved by another session at the same time; try again.');
    RETURN NULL;
  END CREATE_JOB_SCHEDULE;

  PROCEDURE ENABLE_DISABLE_SCHEDULE(p_mapref IN DWJOBSCH.MAPREF%TYPE,
                                    p_action IN VARCHAR2) IS
    c_procedure CONSTANT VARCHAR2(30) := 'ENABLE_DISABLE_SCHEDULE';
    v_flag    DWJOBSCH.SCHFLG%TYPE := 'N';
    v_current c_current%ROWTYPE;
  BEGIN
    IF TRIM(p_mapref) IS NULL THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'Mapping reference not provided.');
    END IF;
    IF NVL(UPPER(TRIM(p_action)), '#') NOT IN ('E', 'D') THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'Action must be provided, valid values are E or D.');
    END IF;
    IF UPPER(TRIM(p_action)) = 'E' THEN
      v_flag := 'Y';
    END IF;
    v_current := LOCK_CURRENT(p_mapref);
    IF v_current.JOBSCHID IS NULL THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'No schedule found for mapping ' || p_mapref || '.');
    END IF;
    -- Enabling again what is enabled changes nothing (its next firing stays as computed).
    -- A real change clears NXT_RUN_DT: the scheduler computes the first firing from now on.
    IF NVL(v_current.SCHFLG, 'N') <> v_flag THEN
      UPDATE DWJOBSCH
         SET SCHFLG = v_flag,
             NXT_RUN_DT = NULL,
             NXT_RUN_SIG = NULL,
             RECUPDT = SYSDATE
       WHERE MAPREF = p_mapref
         AND CURFLG = 'Y';
    END IF;
  END ENABLE_DISABLE_SCHEDULE;

  PROCEDURE CREATE_JOB_DEPENDENCY(p_parent_mapref IN DWJOBSCH.MAPREF%TYPE,
                                  p_child_mapref  IN DWJOBSCH.MAPREF%TYPE) IS
    c_procedure CONSTANT VARCHAR2(30) := 'CREATE_JOB_DEPENDENCY';
    v_child    c_current%ROWTYPE;
    v_parent   c_current%ROWTYPE;
    v_ancestor c_current%ROWTYPE;
    v_mapref   DWJOBSCH.MAPREF%TYPE;
    v_steps    PLS_INTEGER := 0;
    v_limit    PLS_INTEGER;
  BEGIN
    IF TRIM(p_child_mapref) IS NULL THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'Child mapping reference must be provided.');
    END IF;
    IF p_parent_mapref = p_child_mapref THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'A mapping cannot depend on itself (' || p_child_mapref || ').');
    END IF;
    v_child := LOCK_CURRENT(p_child_mapref);
    IF v_child.JOBSCHID IS NULL THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'No schedule found for mapping ' || p_child_mapref || '.');
    END IF;
    IF TRIM(p_parent_mapref) IS NOT NULL THEN
      v_parent := LOCK_CURRENT(p_parent_mapref);
      IF v_parent.JOBSCHID IS NULL THEN
        PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'No schedule found for mapping ' || p_parent_mapref || '.');
      END IF;
      -- Walk up from the parent, locking each ancestor's row so that concurrent links cannot
      -- close a cycle together; meeting the child means this link would close one. A chain
      -- longer than the number of current rows is an old loop elsewhere: stop there.
      SELECT COUNT(*) INTO v_limit FROM DWJOBSCH WHERE CURFLG = 'Y';
      v_ancestor := v_parent;
      WHILE v_ancestor.DPND_JOBSCHID IS NOT NULL AND v_steps < v_limit LOOP
        SELECT MAX(MAPREF) INTO v_mapref FROM DWJOBSCH WHERE JOBSCHID = v_ancestor.DPND_JOBSCHID;
        EXIT WHEN v_mapref IS NULL;
        IF v_mapref = p_child_mapref THEN
          PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate',
            'Dependency refused: ' || p_parent_mapref || ' already depends on ' || p_child_mapref
            || ' (directly or through other jobs), so ' || p_child_mapref || ' cannot depend on '
            || p_parent_mapref || '.');
        END IF;
        v_ancestor := LOCK_CURRENT(v_mapref);
        EXIT WHEN v_ancestor.JOBSCHID IS NULL;
        v_steps := v_steps + 1;
      END LOOP;
    END IF;
    -- A child follows its parent instead of its own frequency: its next firing is recomputed.
    IF NOT SAME_NUMBER(v_child.DPND_JOBSCHID, v_parent.JOBSCHID) THEN
      UPDATE DWJOBSCH
         SET DPND_JOBSCHID = v_parent.JOBSCHID,
             NXT_RUN_DT = NULL,
             NXT_RUN_SIG = NULL,
             RECUPDT = SYSDATE
       WHERE MAPREF = p_child_mapref
         AND CURFLG = 'Y';
    END IF;
  END CREATE_JOB_DEPENDENCY;

  PROCEDURE SCHEDULE_JOB_IMMEDIATE(p_mapref IN DWJOBSCH.MAPREF%TYPE) IS
    v_request_id DWPRCREQ.REQUEST_ID%TYPE;
  BEGIN
    IF TRIM(p_mapref) IS NULL THEN
      PKGERR.RAISE_ERROR(c_package, 'SCHEDULE_JOB_IMMEDIATE', 'validate', 'Mapping reference must be provided.');
    END IF;
    v_request_id := ENQUEUE(p_mapref, 'IMMEDIATE', '{}');
  END SCHEDULE_JOB_IMMEDIATE;

  PROCEDURE SCHEDULE_HISTORY_JOB_IMMEDIATE(p_mapref IN DWJOBSCH.MAPREF%TYPE,
                                           p_strtdt IN DATE,
                                           p_enddt  IN DATE,
                                           p_tlflg  IN VARCHAR2 DEFAULT 'N') IS
    c_procedure CONSTANT VARCHAR2(30) := 'SCHEDULE_HISTORY_JOB_IMMEDIATE';
    v_truncate   VARCHAR2(1);
    v_request_id DWPRCREQ.REQUEST_ID%TYPE;
  BEGIN
    IF TRIM(p_mapref) IS NULL THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'Mapping reference must be provided.');
    END IF;
    IF NVL(UPPER(TRIM(p_tlflg)), 'N') NOT IN ('Y', 'N') THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'Truncate flag must be Y or N.');
    END IF;
    IF TRUNC(p_strtdt) > TRUNC(p_enddt) THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'History start date must not be after end date.');
    END IF;
    v_truncate := NVL(UPPER(TRIM(p_tlflg)), 'N');
    -- A missing date stays out of the payload: the worker then uses DWPARAMS HIST_LOAD / yesterday.
    v_request_id := ENQUEUE(p_mapref, 'HISTORY',
      '{' || LTRIM(JSON_PAIR('start_date', TO_CHAR(p_strtdt, 'YYYY-MM-DD'))
                   || JSON_PAIR('end_date', TO_CHAR(p_enddt, 'YYYY-MM-DD'))
                   || JSON_PAIR('truncate_flag', v_truncate), ',') || '}');
  END SCHEDULE_HISTORY_JOB_IMMEDIATE;

  PROCEDURE STOP_RUNNING_JOB(p_mapref IN DWPRCLOG.MAPREF%TYPE,
                             p_strtdt IN DWPRCLOG.STRTDT%TYPE,
                             p_force  IN VARCHAR2 DEFAULT 'Y',
                             p_err    OUT VARCHAR2) IS
    c_procedure CONSTANT VARCHAR2(30) := 'STOP_RUNNING_JOB';
    v_force      VARCHAR2(1);
    v_request_id DWPRCREQ.REQUEST_ID%TYPE;
  BEGIN
    p_err := NULL;
    IF TRIM(p_mapref) IS NULL THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'Mapping reference must be provided.');
    END IF;
    IF NVL(UPPER(TRIM(p_force)), 'N') NOT IN ('Y', 'N') THEN
      PKGERR.RAISE_ERROR(c_package, c_procedure, 'validate', 'Force flag must be Y or N.');
    END IF;
    v_force := NVL(UPPER(TRIM(p_force)), 'N');
    -- The stop is carried out by the worker running the flow; the STOP row's RESULT_PAYLOAD says
    -- what it did. start_timestamp picks the run by its DWPRCLOG.STRTDT, to the second.
    v_request_id := ENQUEUE(p_mapref, 'STOP',
      '{' || LTRIM(JSON_PAIR('force', v_force)
                   || JSON_PAIR('start_timestamp', TO_CHAR(p_strtdt, 'YYYY-MM-DD HH24:MI:SS')), ',') || '}');
  END STOP_RUNNING_JOB;
END PKGDWPRC;
/

-- CREATE PACKAGE reports compilation errors only as a warning: make them fail the migration.
DECLARE
  v_errors VARCHAR2(4000);
BEGIN
  FOR v_error IN (SELECT TYPE, LINE, TEXT
                    FROM ALL_ERRORS
                   WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
                     AND NAME = 'PKGDWPRC'
                     AND ATTRIBUTE = 'ERROR'
                   ORDER BY TYPE, SEQUENCE) LOOP
    v_errors := SUBSTRB(v_errors || CHR(10) || v_error.TYPE || ' line ' || v_error.LINE || ': ' || v_error.TEXT, 1, 1900);
  END LOOP;
  IF v_errors IS NOT NULL THEN
    RAISE_APPLICATION_ERROR(-20098, 'PKGDWPRC does not compile:' || v_errors);
  END IF;
END;
/
