/**
 * The DWLOGIC and setup blocks the Oracle integration test (integration.test.ts) sends: kept here
 * so the grammar test (grammar/sentStatements.test.ts) parses them on every run, also where no
 * Oracle server is configured.
 */

/** The table the integration flows load into. */
export const TARGET = 'DWPRC_IT_TARGET';

/** Creates TARGET unless it exists (ORA-00955). */
export const CREATE_TARGET_BLOCK = `BEGIN
  EXECUTE IMMEDIATE 'CREATE TABLE ${TARGET} (MAPREF VARCHAR2(100), PRCID NUMBER(12), DAY VARCHAR2(250))';
EXCEPTION WHEN OTHERS THEN IF SQLCODE != -955 THEN RAISE; END IF;
END;`;

/** A generated-style DWLOGIC block: reads its own IP row (SELECT INTO: exactly one), then `body`. */
export function oracleDwlogic(mapref: string, body: string): string {
  return `DECLARE
  v_prcid      NUMBER;
  v_sessionid  NUMBER;
  v_jobid      NUMBER;
  v_param1     VARCHAR2(250);
  v_joblogid   NUMBER;
BEGIN
  SELECT PRCID, SESSIONID, JOBID, PARAM1
    INTO v_prcid, v_sessionid, v_jobid, v_param1
    FROM DWPRCLOG
   WHERE MAPREF = '${mapref}' AND SESSIONID = TO_NUMBER(SYS_CONTEXT('USERENV', 'SESSIONID')) AND STATUS = 'IP';
${body}
END;`;
}

/** Loads one row per run into the test target and reports counts through PKGDWPRC.CREATE_JOB_LOG, then commits. */
export const loadBody = (mapref: string) => `  INSERT INTO ${TARGET} (MAPREF, PRCID, DAY) VALUES ('${mapref}', v_prcid, v_param1);
  PKGDWPRC.CREATE_JOB_LOG(v_joblogid, v_sessionid, v_prcid, SYSDATE, '${mapref}', v_jobid, 5, 3, 2);
  COMMIT;`;

/** The bodies the integration flows use besides loadBody: a failure, a long run, a no-op. */
export const failingBody = `  RAISE_APPLICATION_ERROR(-20001, 'no source file for ' || v_param1);`;
export const sleepingBody = '  DBMS_SESSION.SLEEP(60);';
export const emptyBody = '  NULL;';
