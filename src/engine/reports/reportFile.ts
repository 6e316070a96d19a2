import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import type { ReportRequest } from '../../queue/request.js';

/**
 * Where a report goes. Rows are written to a hidden temporary file beside the final one and
 * renamed into place only when complete (rename is atomic within a folder), so a reader never
 * sees half a report; a failed or stopped report deletes its temporary file.
 */
export interface ReportFile {
  /** Absolute final path. */
  path: string;
  /** Absolute path being written. */
  tempPath: string;
}

const UNSAFE = /[^\w.-]/g;

/** The payload's `file` (the parser allows letters, digits, `.`, `_`, `-`), else `<code>-<request id>.<ext>`. */
export function reportFileName(request: Pick<ReportRequest, 'file' | 'sqlCode' | 'requestId' | 'format'>): string {
  if (request.file !== null) {
    if (request.file === '.' || request.file === '..') throw new UserError(`file must name a file, got "${request.file}"`);
    return request.file;
  }
  const extension = request.format === 'XLSX' ? 'xlsx' : 'csv';
  return `${request.sqlCode.replace(UNSAFE, '_')}-${request.requestId.replace(UNSAFE, '_')}.${extension}`;
}

export async function prepareReportFile(dir: string, name: string): Promise<ReportFile> {
  await mkdir(dir, { recursive: true });
  const finalPath = path.join(dir, name);
  return { path: finalPath, tempPath: path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.part`) };
}

export async function publishReportFile(file: ReportFile): Promise<void> {
  await rename(file.tempPath, file.path);
}

export async function discardReportFile(file: ReportFile): Promise<void> {
  await rm(file.tempPath, { force: true });
}
