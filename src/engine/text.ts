/**
 * Oracle VARCHAR2(n) counts bytes by default, so a message is cut to n UTF-8 bytes (which also
 * fits n characters on PostgreSQL), on a code point boundary, marked with "..." when cut.
 */
export function clip(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const room = maxBytes - 3;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > room) break;
    bytes += size;
    out += ch;
  }
  return `${out}...`;
}

/** DWPRCLOG.MSG, DWJOBERR.ERRMSG and KEYVALUE are VARCHAR2(400); DBERRMSG is VARCHAR2(4000). */
export const MSG_MAX = 400;
export const DBERRMSG_MAX = 4000;
export const PRCLOG_MAX = 4000;
