import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../lib/processes.js';
import { pick } from './random.js';

export interface Fleet {
  /** Live worker processes. */
  live(): Child[];
  /** Starts one more worker. */
  spawn(): Child;
}

export interface Chaos {
  counts: { killed: number; terminated: number };
  stop(): Promise<void>;
}

/**
 * Every `everyMs` (± half), takes a random worker down, SIGKILL (60%) or SIGTERM (40%), and
 * starts a replacement 0.5–3 s later: the fleet keeps its size, runs are cut at random points.
 */
export function startChaos(fleet: Fleet, random: () => number, everyMs: number): Chaos {
  const counts = { killed: 0, terminated: 0 };
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      // Aborted at stop: the soak does not wait out a pause.
      const waited = await sleep(everyMs * (0.5 + random()), true, { signal: stopping.signal }).catch(() => false);
      if (!waited) break;
      const victim = pick(random, fleet.live());
      if (random() < 0.6) {
        victim.child.kill('SIGKILL');
        counts.killed += 1;
      } else {
        victim.child.kill('SIGTERM');
        counts.terminated += 1;
      }
      await victim.exited;
      await sleep(500 + random() * 2500);
      fleet.spawn();
    }
  })();
  return {
    counts,
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
