/**
 * A sleep that a wake-up can cut short: the claim loop sleeps until the poll interval passes,
 * a NOTIFY arrives or a slot frees up. A wake-up that comes while nobody waits is kept, so it
 * is never lost between a claim and the next sleep.
 */
export class WakeSignal {
  #pending = false;
  #resolve: (() => void) | null = null;

  wake(): void {
    if (this.#resolve) {
      const resolve = this.#resolve;
      this.#resolve = null;
      resolve();
    } else {
      this.#pending = true;
    }
  }

  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#resolve = null;
        resolve();
      }, ms);
      this.#resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** ±20% so that replicas started together do not poll in lock step. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.8 + random() * 0.4));
}

/**
 * The wait before a periodic duty runs again: its jittered interval, or the moment it said it is
 * needed when that comes first. That moment is not jittered: the scheduler tick wakes every
 * replica exactly when a schedule falls due, and SKIP LOCKED shares the firings among them.
 */
export function nextWaitMs(intervalMs: number, neededInMs: number | null, random: () => number = Math.random): number {
  const regular = jitter(intervalMs, random);
  return neededInMs === null ? regular : Math.min(regular, Math.max(0, Math.ceil(neededInMs)));
}
