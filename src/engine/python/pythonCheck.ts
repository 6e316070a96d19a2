import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { PythonSettings } from '../../config.js';
import type { Dialect } from '../../db/dialects/dialect.js';
import type { Check } from '../../observe/doctor.js';
import { definesExecuteJob } from '../pythonLogic.js';

const INSTALL = { psycopg2: 'apt-get install python3-psycopg2 (or pip install psycopg2-binary)', oracledb: 'pip install oracledb' } as const;

/**
 * `doctor`: when current active flows are Python (execute_job), whether DWPRC_PYTHON starts and
 * imports the driver of this database, and whether the DWPRC_PYTHONPATH folders exist; before a
 * run finds out. No Python flow: nothing is asked of the machine.
 */
export async function pythonCheck(dialect: Dialect, python: PythonSettings): Promise<Check> {
  const flows = await dialect.db.selectFrom('dwjobflw').select('dwlogic').where('curflg', '=', 'Y').where('stflg', '=', 'A').execute();
  const count = flows.filter((f) => definesExecuteJob(f.dwlogic ?? '')).length;
  if (count === 0) return { name: 'python', status: 'ok', detail: 'no Python job flows' };
  const { driver } = dialect.pythonConnection();
  const flowsText = `${count} Python job flow${count === 1 ? '' : 's'}`;
  const probe = await new Promise<{ version: string } | { error: string }>((resolve) => {
    execFile(python.interpreter, ['-c', `import sys, ${driver}; print(sys.version.split()[0])`], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (!error) return resolve({ version: stdout.trim() });
      const missing = /No module named/.test(stderr);
      resolve({ error: missing ? `has no module ${driver}` : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : stderr.trim().split('\n').at(-1) || error.message });
    });
  });
  if ('error' in probe) {
    return {
      name: 'python',
      status: 'fail',
      detail: `${flowsText}, but DWPRC_PYTHON (${python.interpreter}) ${probe.error}: their runs fail`,
      fix: `set DWPRC_PYTHON to a Python 3 with ${driver} (${INSTALL[driver]})`,
    };
  }
  const missing = python.path.filter((folder) => !existsSync(folder));
  const detail = `${flowsText}; ${python.interpreter} ${probe.version} with ${driver}`;
  if (missing.length) return { name: 'python', status: 'warn', detail: `${detail}; DWPRC_PYTHONPATH folder${missing.length === 1 ? '' : 's'} missing: ${missing.join(', ')}` };
  return { name: 'python', status: 'ok', detail: python.path.length ? `${detail}; DWPRC_PYTHONPATH ${python.path.join(':')}` : `${detail}; no DWPRC_PYTHONPATH (the tool's modules.… imports will fail)` };
}
