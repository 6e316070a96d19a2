import oracledb from 'oracledb';
import type { RunSessionEnd, RunTag } from './dialect.js';

/**
 * Ends the session of a reaped run on Oracle: found in V$SESSION by AUDSID (what
 * SYS_CONTEXT('USERENV','SESSIONID') returns, i.e. DWPRCLOG.SESSIONID) and the run's tags
 * (MODULE 'dwprc', CLIENT_IDENTIFIER the PRCID), then ALTER SYSTEM KILL SESSION … IMMEDIATE:
 * its call is interrupted, its transaction rolled back. A session that ended meanwhile
 * (ORA-00030) is not counted. Needs SELECT on V_$SESSION granted directly to the user (PL/SQL
 * ignores roles) and ALTER SYSTEM; without them the answer is `unknown`.
 */
export const END_RUN_SESSION_BLOCK = `DECLARE
  v_killed PLS_INTEGER := 0;
BEGIN
  FOR s IN (SELECT SID, SERIAL# AS SERIALNO FROM V$SESSION
             WHERE AUDSID = :sessionid AND MODULE = 'dwprc' AND CLIENT_IDENTIFIER = :prcid) LOOP
    BEGIN
      EXECUTE IMMEDIATE 'ALTER SYSTEM KILL SESSION ''' || s.SID || ',' || s.SERIALNO || ''' IMMEDIATE';
      v_killed := v_killed + 1;
    EXCEPTION WHEN OTHERS THEN
      IF SQLCODE != -30 THEN RAISE; END IF;
    END;
  END LOOP;
  :killed := v_killed;
END;`;

/** PL/SQL could not see V$SESSION (ORA-06550 wrapping ORA-00942/PLS-00201) or may not kill (ORA-01031). */
const NOT_GRANTED = new Set(['ORA-06550', 'ORA-00942', 'ORA-01031']);

type Connection = Pick<oracledb.Connection, 'execute' | 'close'>;

export async function endOracleRunSession(getConnection: () => Promise<Connection>, run: RunTag & { sessionId: number }): Promise<RunSessionEnd> {
  const connection = await getConnection();
  try {
    const result = await connection.execute<unknown>(
      END_RUN_SESSION_BLOCK,
      { sessionid: run.sessionId, prcid: String(run.prcid), killed: { dir: oracledb.BIND_OUT, type: oracledb.NUMBER } },
      { autoCommit: false },
    );
    // KILL SESSION IMMEDIATE returns once the session is marked killed: nothing of it executes on.
    return Number((result.outBinds as { killed?: number } | undefined)?.killed ?? 0) > 0 ? 'ended' : 'none';
  } catch (error) {
    if (NOT_GRANTED.has((error as { code?: string }).code ?? '')) return 'unknown';
    throw error;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
