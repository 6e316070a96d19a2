/**
 * A small RFC 4180 reader for tests, written apart from the writer it checks: an unquoted
 * empty field reads as null, a quoted one as '' (the writer's NULL / empty-string rule).
 */
export function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let i = 0;
  const endField = (value: string | null) => record.push(value);
  while (i < text.length) {
    let value: string | null;
    if (text[i] === '"') {
      let j = i + 1;
      value = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error(`unterminated quoted field at ${i}`);
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const end = text.slice(i).search(/,|\r\n/);
      const raw = end < 0 ? text.slice(i) : text.slice(i, i + end);
      if (raw.includes('"') || raw.includes('\n') || raw.includes('\r')) throw new Error(`bare quote or line break in unquoted field at ${i}`);
      value = raw === '' ? null : raw;
      i += raw.length;
    }
    endField(value);
    if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else if (text[i] === ',') {
      i += 1;
    } else if (i < text.length) {
      throw new Error(`expected , or CRLF at ${i}`);
    }
  }
  if (record.length > 0) throw new Error('last record lacks its CRLF');
  return records;
}
