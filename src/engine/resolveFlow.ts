import type { Kysely } from 'kysely';
import { CURRENT_JOB } from '../db/runRow.js';
import type { Database } from '../db/schema.js';
import { printable, UserError } from '../errors.js';
import type { ExecutionContext } from './execution.js';
import type { DefinedFlow } from './flow.js';
import { flowRegistry } from './loadFlows.js';
import { definesExecuteJob, looksLikePython } from './pythonLogic.js';

/** What runs for a MAPREF, with the ids its DWPRCLOG rows carry. */
export type ResolvedFlow =
  | { kind: 'typescript'; mapref: string; flow: DefinedFlow; file: string; jobid: typeof CURRENT_JOB; jobflwid: null }
  | { kind: 'dwlogic'; mapref: string; text: string; jobid: number | null; jobflwid: number }
  /** DWLOGIC defining execute_job: run in a Python child (src/engine/python/). */
  | { kind: 'python'; mapref: string; text: string; jobid: number | null; jobflwid: number };

/** The current active DWJOBFLW row; the newest should there be several. */
export function currentFlowQuery(db: Kysely<Database>, mapref: string) {
  return db
    .selectFrom('dwjobflw')
    .select(['jobflwid', 'jobid', 'dwlogic'])
    .where('mapref', '=', mapref)
    .where('curflg', '=', 'Y')
    .where('stflg', '=', 'A')
    .orderBy('jobflwid', 'desc');
}

/**
 * A registered TypeScript flow, else the current active DWJOBFLW row's DWLOGIC. Refusals are
 * UserErrors (one line, nothing written): no flow, an empty DWLOGIC, Python without execute_job.
 * Needs no run: `dwprc why` asks it too.
 */
export async function resolveFlow(mapref: string, context: Pick<ExecutionContext, 'dialect' | 'config' | 'log' | 'flows'>): Promise<ResolvedFlow> {
  const db = context.dialect.db;
  const registry = context.flows ?? (await flowRegistry(context.config.flowsDir, context.log));
  const registered = registry.get(mapref);
  // A TypeScript flow's runs carry the MAPREF's current DWJOB JOBID, read when the run row is written.
  if (registered) return { kind: 'typescript', mapref, flow: registered.flow, file: registered.file, jobid: CURRENT_JOB, jobflwid: null };
  const row = await currentFlowQuery(db, mapref).executeTakeFirst();
  if (!row) throw new UserError(`No active job flow found for ${printable(mapref)}`);
  const text = row.dwlogic ?? '';
  if (text.trim() === '') throw new UserError(`DWLOGIC of ${mapref} (JOBFLWID ${row.jobflwid}) is empty: nothing to run`);
  if (definesExecuteJob(text)) return { kind: 'python', mapref, text, jobid: row.jobid, jobflwid: row.jobflwid };
  if (looksLikePython(text)) {
    throw new UserError(
      `DWLOGIC of ${mapref} (JOBFLWID ${row.jobflwid}) is Python code that defines no execute_job(...), the entry point dwprc calls: ` +
        `store a flow defining execute_job, a PL/SQL block (Oracle) or a PL/pgSQL DO block (PostgreSQL), or register a TypeScript flow for ${mapref} in DWPRC_FLOWS_DIR`,
    );
  }
  return { kind: 'dwlogic', mapref, text, jobid: row.jobid, jobflwid: row.jobflwid };
}
