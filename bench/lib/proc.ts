import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Resident memory of a running process from /proc (Linux): VmHWM is the kernel's own peak, so a
 * short spike between two samples is not missed. Null where /proc is not available.
 */
function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export const peakRss = (pid: number) => statusField(pid, 'VmHWM');
export const currentRss = (pid: number) => statusField(pid, 'VmRSS');

export const mib = (bytes: number | null) => (bytes === null ? null : Math.round((bytes / 1024 / 1024) * 10) / 10);

/**
 * Resets the kernel's peak (VmHWM) to the current RSS, so that a later reading is the peak of
 * what happened since. Returns false where that is not possible (then peaks include start-up).
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
