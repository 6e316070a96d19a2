import type { Dialect } from '../../db/dialects/dialect.js';
import type { ResolvedFlow } from '../resolveFlow.js';
import type { ChildConnections } from './pythonChild.js';

/**
 * The connections execute_job receives. The metadata connection is the DW database, as the
 * worker's pool connects to it; source and target are the metadata connection too.
 */
export async function flowConnections(_flow: Extract<ResolvedFlow, { kind: 'python' }>, dialect: Dialect): Promise<ChildConnections> {
  return { metadata: dialect.pythonConnection(), source: null, target: null };
}
