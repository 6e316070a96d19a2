import type { RowBatch } from '../../db/dialects/dialect.js';
import type { FileSink, WriteProgress } from './fileSink.js';

/**
 * RFC 4180: comma separated, CRLF line ends, a field quoted when it holds a comma, quote, CR
 * or LF, quotes doubled. Like PostgreSQL's COPY … CSV, NULL is an empty field and an empty
 * string is `""`, so the two stay apart. Date kinds already arrive as ISO text.
 */
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (text === '') return '""';
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** Writes a header and every row; one chunk per batch, waiting for the file between batches. */
export async function writeCsv(batches: AsyncIterable<RowBatch>, sink: FileSink, progress: WriteProgress): Promise<number> {
  let rows = 0;
  let header = true;
  for await (const batch of batches) {
    let chunk = header ? csvRecord(batch.columns.map((c) => c.name)) : '';
    header = false;
    for (const row of batch.rows) chunk += csvRecord(row);
    sink.write(chunk);
    rows += batch.rows.length;
    await sink.room(progress.signal);
    progress.onProgress?.(rows);
  }
  await sink.close();
  return rows;
}
