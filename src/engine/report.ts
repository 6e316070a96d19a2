import type { BindParams } from '../db/dialects/dialect.js';
import { errorMessage, printable, UserError } from '../errors.js';
import { scrubSecrets } from '../observe/logger.js';
import type { ReportRequest } from '../queue/request.js';
import type { ExecutionContext, Outcome, StopCause } from './execution.js';
import { writeCsv } from './reports/csv.js';
import { FileSink, type WriteProgress } from './reports/fileSink.js';
import { findReportSql } from './reports/findReportSql.js';
import { discardReportFile, prepareReportFile, publishReportFile, reportFileName, type ReportFile } from './reports/reportFile.js';
import { writeXlsx } from './reports/xlsx.js';

/**
 * A REPORT request: the current DWMAPRSQL text of `sql_code`, run with the payload's params
 * bound (never pasted into the SQL), streamed batch by batch into a CSV or XLSX file under
 * DWPRC_REPORT_DIR. No DWPRCLOG row is written: a report is not a job flow run.
 */
export interface ReportOptions {
  /** Rows per fetch and per write (default 1000). */
  batchSize?: number;
  /** Rows handed to the file so far, after each batch: progress logs, tests, benchmarks. */
  onProgress?: (rows: number) => void;
  /** XLSX data rows per sheet (default: Excel's maximum). */
  rowsPerSheet?: number;
}

export const DEFAULT_REPORT_BATCH_SIZE = 1000;

function checkParams(params: BindParams): void {
  const entries = Array.isArray(params) ? params.map((v, i) => [`params[${i}]`, v] as const) : Object.entries(params).map(([k, v]) => [`params.${k}`, v] as const);
  for (const [field, value] of entries) {
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new UserError(`${field} must be a string, number, boolean or null, got ${JSON.stringify(value)}`);
    }
  }
}

/** Stored SQL often ends with `;`, which neither database accepts inside a cursor. */
function statementText(sqlText: string): string {
  return sqlText.replace(/[;\s]+$/, '');
}

function stoppedBy(reason: unknown): string {
  const cause = reason as StopCause | undefined;
  switch (cause?.kind) {
    case 'stop-request':
      return `by STOP request ${cause.stopRequestId}`;
    case 'shutdown':
      return 'by worker shutdown';
    case 'lease-lost':
      return 'because this worker lost its lease';
    default:
      return 'on request';
  }
}

export async function runReport(request: ReportRequest, ctx: ExecutionContext, options: ReportOptions = {}): Promise<Outcome> {
  const { sqlCode, format } = request;
  const echo = { sql_code: sqlCode, format };
  const failed = (message: string): Outcome => ({ status: 'FAILED', started: false, result: { status: 'FAILED', message, ...echo } });
  const signal = AbortSignal.any([ctx.control.stop, ctx.control.kill]);
  const log = ctx.log.child({ requestId: request.requestId, sqlCode, format });
  let file: ReportFile | null = null;
  try {
    const sqlText = await findReportSql(ctx.dialect, sqlCode);
    if (sqlText === undefined) return failed(`No report SQL found for sql_code ${printable(sqlCode)} (DWMAPRSQL, CURFLG 'Y')`);
    if (sqlText === null) return failed(`The report SQL of sql_code ${printable(sqlCode)} is empty`);
    checkParams(request.params);
    file = await prepareReportFile(ctx.config.reportDir, reportFileName(request));
    const sink = await FileSink.create(file.tempPath);
    const batches = ctx.dialect.streamQuery(statementText(sqlText), request.params, {
      batchSize: options.batchSize ?? DEFAULT_REPORT_BATCH_SIZE,
      signal,
      label: `dwprc report ${sqlCode}`,
    });
    const progress: WriteProgress = { signal, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
    try {
      const rows =
        format === 'XLSX'
          ? await writeXlsx(batches, sink, { ...progress, sheetName: sqlCode, ...(options.rowsPerSheet ? { rowsPerSheet: options.rowsPerSheet } : {}) })
          : await writeCsv(batches, sink, progress);
      // A stop that arrived after the last batch still wins: the caller asked for no file.
      signal.throwIfAborted();
      await publishReportFile(file);
      log.info({ file: file.path, rows }, 'report written');
      return {
        status: 'DONE',
        started: false,
        result: { status: 'DONE', message: `Report ${sqlCode}: ${rows} rows written to ${file.path}`, ...echo, file: file.path, rows },
      };
    } finally {
      sink.destroy();
    }
  } catch (error) {
    if (file) await discardReportFile(file);
    if (signal.aborted) {
      log.info({ reason: signal.reason as unknown }, 'report stopped');
      return { status: 'CANCELLED', started: false, result: { status: 'CANCELLED', message: `Report ${sqlCode} stopped ${stoppedBy(signal.reason)}; no file written`, ...echo } };
    }
    const message = scrubSecrets(errorMessage(error));
    log.warn({ err: error }, 'report failed');
    return failed(`Report ${sqlCode} failed: ${message}`);
  }
}
