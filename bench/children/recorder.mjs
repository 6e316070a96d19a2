// Plain JavaScript: dwprc workers run from dist/ without a TypeScript loader and import this
// from the generated flow module, as the peer workers do from their task handlers.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** CLOCK_MONOTONIC in milliseconds: the same clock in every process on the machine. */
export function monotonicMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

const dir = process.env.BENCH_RECORD_DIR;
const starts = [];

// Written once at exit, so that recording costs a task nothing but an array push.
if (dir) process.on('exit', () => writeFileSync(path.join(dir, `${process.pid}.starts.json`), JSON.stringify(starts)));

/** A task started: its id and enqueue time (both from the payload) and now. */
export function recordStart(id, enqueuedAt) {
  if (dir && Number.isFinite(id) && Number.isFinite(enqueuedAt)) starts.push([id, enqueuedAt, monotonicMs()]);
}
