import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

/**
 * A file being written by a report, with the one backpressure point every writer uses:
 * `room()` waits until the file has taken what was written, so rows are fetched from the
 * database no faster than the disk takes them.
 */
export class FileSink {
  readonly stream: WriteStream;
  #error: Error | null = null;

  private constructor(stream: WriteStream) {
    this.stream = stream;
    this.stream.on('error', (error) => {
      this.#error ??= error;
    });
  }

  /** Creates the file and waits until it exists, so a later clean-up cannot run before it. */
  static async create(filePath: string): Promise<FileSink> {
    // wx: the temporary name is fresh; never write through someone else's file.
    const stream = createWriteStream(filePath, { flags: 'wx' });
    await once(stream, 'ready');
    return new FileSink(stream);
  }

  #check(): void {
    if (this.#error) throw this.#error;
  }

  write(chunk: string): void {
    this.#check();
    this.stream.write(chunk);
  }

  /** Resolves once the stream wants more; rejects on a write error or when `signal` aborts. */
  async room(signal?: AbortSignal): Promise<void> {
    this.#check();
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain', signal ? { signal } : {});
    this.#check();
  }

  /** Ends the file (unless its producer already did) and waits until it is closed on disk. */
  async close(): Promise<void> {
    if (!this.stream.writableEnded) this.stream.end();
    await finished(this.stream);
    if (!this.stream.closed) await once(this.stream, 'close');
    this.#check();
  }

  destroy(): void {
    this.stream.destroy();
  }
}

/** What a format writer is told besides its rows. */
export interface WriteProgress {
  /** Aborts the writing (the row stream sees the same signal). */
  signal?: AbortSignal;
  /** Rows handed to the file so far, after each batch. */
  onProgress?: (rows: number) => void;
}
