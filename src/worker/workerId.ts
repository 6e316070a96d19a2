import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** CLAIMED_BY: `host:pid:random` (≤ 64 chars), unique per process start even if a pid is reused. */
export function makeWorkerId(name?: string): string {
  const suffix = randomBytes(3).toString('hex');
  const base = name?.trim() ? name.trim() : `${hostname().split('.')[0]}:${process.pid}`;
  return `${base.slice(0, 56)}:${suffix}`;
}
