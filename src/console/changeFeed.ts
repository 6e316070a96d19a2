import { errorMessage } from '../errors.js';
import type { Logger } from '../observe/logger.js';

/**
 * One poll of the database's change mark per console process, however many pages are open,
 * and only while at least one is: each subscriber hears when the mark moves.
 */
export class ChangeFeed {
  readonly #listeners = new Set<() => void>();
  #timer: NodeJS.Timeout | null = null;
  #mark: string | null = null;
  #polling = false;

  constructor(
    private readonly read: () => Promise<string>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (!this.#timer) {
      // The first reading is the mark the pages were rendered at (or near): changes after it count.
      void this.#poll();
      this.#timer = setInterval(() => void this.#poll(), this.intervalMs);
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = null;
        this.#mark = null;
      }
    };
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const mark = await this.read();
      const moved = this.#mark !== null && mark !== this.#mark;
      this.#mark = mark;
      if (moved) for (const listener of this.#listeners) listener();
    } catch (error) {
      this.log.debug({ err: errorMessage(error) }, 'console change poll failed');
    } finally {
      this.#polling = false;
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
  }
}
