/**
 * Refusals of the compatibility packages (PKGDWPRC's schedule operations) are raised through
 * PKGERR.RAISE_ERROR: ORA-20099 on Oracle, SQLSTATE P0099 on PostgreSQL. Their last part is the
 * text meant for the user (COMPAT.md's messages); this finds it, so callers can show one line.
 *
 *   PostgreSQL  "PKGDWPRC::CREATE_JOB_SCHEDULE::validate::Invalid frequency code (…)."
 *   Oracle      "ORA-20099: PKGDWPRC - CREATE_JOB_SCHEDULE:-\nvalidate : Invalid frequency code (…).\n…"
 */
export function packageErrorMessage(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, errorNum, message } = error as { code?: unknown; errorNum?: unknown; message?: unknown };
  if (typeof message !== 'string') return null;
  if (code === 'P0099') {
    // Module, entry point and step never hold "::"; the text may (a MAPREF can).
    const parts = message.split('::');
    return parts.length >= 4 ? parts.slice(3).join('::') : message;
  }
  if (errorNum === 20099 || /^ORA-20099: /.test(message)) {
    const line = message.split('\n')[1];
    const at = line?.indexOf(' : ') ?? -1;
    return line && at >= 0 ? line.slice(at + 3) : message.replace(/^ORA-20099: /, '').split('\n')[0]!;
  }
  return null;
}
