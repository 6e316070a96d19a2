/**
 * The blanks a UI may leave around REQUEST_TYPE and MAPREF: space, tab, LF, CR, VT, FF. The
 * claim strips exactly these in SQL (btrim / LTRIM+RTRIM with this set) and the parser strips
 * them here, so both agree on which rows are IMMEDIATE/HISTORY runs of which MAPREF — one run
 * per MAPREF at a time depends on it. Other spaces (NBSP, ideographic …) are kept: they make an
 * unknown type or MAPREF, never a second spelling of a known one.
 */
export const PADDING = ' \t\n\r\u000b\f';

const LEADING = /^[ \t\n\r\u000b\f]+/;
const TRAILING = /[ \t\n\r\u000b\f]+$/;

export function unpadded(text: string | null): string {
  return (text ?? '').replace(LEADING, '').replace(TRAILING, '');
}

/** REQUEST_TYPE as compared: unpadded, ASCII letters upper-cased (as SQL UPPER does for them). */
export function requestTypeKey(raw: string | null): string {
  return unpadded(raw).replace(/[a-z]+/g, (s) => s.toUpperCase());
}
