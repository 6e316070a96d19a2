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

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICK_MS = 10;

/**
 * CPU time a process has used so far (user + system), in ms; null if it is gone or /proc is
 * missing. On a machine shared with other work, CPU per job is steadier than jobs per second.
 */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}
