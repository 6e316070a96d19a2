import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { PythonSettings } from '../../src/config.js';
import type { DatabaseUnderTest } from './database.js';
import { harness, type Harness } from './engine.js';
import { waitFor } from './waitFor.js';

/**
 * Python flows run for real: an interpreter with the driver the test database needs. Debian's
 * /usr/bin/python3 has psycopg2 (python3-psycopg2, installed by .ci/run); the `python3` first on
 * PATH may be another Python without it (a pyenv one on the development machine).
 */
const CANDIDATES = [process.env.DWPRC_TEST_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);

function hasModule(interpreter: string, module: string): boolean {
  return spawnSync(interpreter, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

/** The first candidate interpreter that imports `module`, or why the Python tests cannot run. */
export function pythonWith(module: 'psycopg2' | 'oracledb'): { interpreter: string; skip?: undefined } | { interpreter?: undefined; skip: string } {
  const found = CANDIDATES.find((c) => hasModule(c, module));
  if (found) return { interpreter: found };
  return { skip: `no Python with ${module} among ${CANDIDATES.join(', ')}: apt-get install python3 python3-${module} (or set DWPRC_TEST_PYTHON)` };
}

/** An interpreter that lacks `module` (the "missing driver" test), if there is one. */
export function pythonWithout(module: string): string | undefined {
  return ['python3', '/usr/bin/python3', process.env.DWPRC_TEST_PYTHON].filter((p): p is string => !!p).find((c) => spawnSync(c, ['-c', 'pass']).status === 0 && !hasModule(c, module));
}

export const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'python');

/** A flow file of test/fixtures/python/. */
export function fixtureFlow(name: string): string {
  return readFileSync(path.join(FIXTURES, `${name}.py`), 'utf8');
}

export interface LoggedLine {
  msg: string;
  mapref?: string;
  prcid?: number;
  stream?: string;
  [key: string]: unknown;
}

/** The engine harness with Python settings, its log lines kept for the tests to read. */
export function pythonHarness(t: DatabaseUnderTest, python: Partial<PythonSettings> & { interpreter: string }): Harness & { lines: LoggedLine[] } {
  const h = harness(t);
  const lines: LoggedLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as LoggedLine);
      done();
    },
  });
  h.context.log = pino({ level: 'info' }, sink);
  h.context.config = { ...h.context.config, python: { path: [FIXTURES + '/backend'], flowTimeoutMs: null, ...python } };
  return { ...h, lines };
}

/**
 * Waits until no process of group `pgid` is left: a SIGKILLed group's members are gone once the
 * kernel (and init, for orphans) has reaped them.
 */
export function processGroupGone(pgid: number, timeoutMs = 2_000): Promise<void> {
  const gone = () => {
    try {
      process.kill(-pgid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
  return waitFor(gone, `no process left in group ${pgid} (what the flow started included)`, timeoutMs);
}
