import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, UserError } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import { type DefinedFlow, isDefinedFlow } from './flow.js';

export interface RegisteredFlow {
  flow: DefinedFlow;
  file: string;
}

/** MAPREF → its TypeScript flow. */
export type FlowRegistry = ReadonlyMap<string, RegisteredFlow>;

/** `.ts` modules can only be imported when dwprc itself runs from source under a TypeScript loader (tsx). */
const TYPESCRIPT_LOADER = import.meta.url.endsWith('.ts');

function isFlowModule(file: string): boolean {
  if (file.endsWith('.d.ts')) return false;
  return /\.m?js$/.test(file) || (TYPESCRIPT_LOADER && file.endsWith('.ts'));
}

/**
 * Imports every `.js`/`.mjs` (and `.ts` under tsx) module directly in `dir` and registers the
 * flows among its exports. Two flows for one MAPREF are an error naming both files.
 */
export async function loadFlows(dir: string | null, log?: Logger): Promise<FlowRegistry> {
  const registry = new Map<string, RegisteredFlow>();
  if (dir === null) return registry;
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (error) {
    throw new UserError(`DWPRC_FLOWS_DIR: cannot read the folder "${dir}" (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
  const skipped = names.filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts') && !TYPESCRIPT_LOADER);
  if (skipped.length) log?.warn({ dir, skipped }, 'TypeScript flow modules are skipped: compile them to .js (dwprc runs from dist/)');
  for (const name of names.filter(isFlowModule)) {
    const file = path.join(dir, name);
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      throw new UserError(`flow module ${file} failed to load: ${errorMessage(error).split('\n')[0]}`);
    }
    for (const flow of new Set(Object.values(exports).filter(isDefinedFlow))) {
      const existing = registry.get(flow.mapref);
      if (existing) throw new UserError(`MAPREF ${flow.mapref} has two TypeScript flows: ${existing.file} and ${file}`);
      registry.set(flow.mapref, { flow, file });
    }
  }
  log?.info({ dir, flows: [...registry.keys()] }, 'TypeScript flows loaded');
  return registry;
}

const loaded = new Map<string, Promise<FlowRegistry>>();

/** The registry of `dir`, loaded once per process (imported modules are cached by Node anyway). */
export function flowRegistry(dir: string | null, log?: Logger): Promise<FlowRegistry> {
  const key = dir ?? '';
  let registry = loaded.get(key);
  if (!registry) {
    registry = loadFlows(dir, log);
    loaded.set(key, registry);
  }
  return registry;
}
