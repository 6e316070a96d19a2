import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { PythonConnection, PythonRunTag } from '../../db/dialects/dialect.js';
import { UserError } from '../../errors.js';
import type { Logger } from '../../observe/logger.js';
import { flowChildScript } from './scriptPath.js';

/**
 * One Python child process and its side of flowChild.py's protocol (JSON lines: ours on its
 * stdin, its answers on fd 3; its stdout and stderr are the flow's output, logged line by line).
 * The child leads its own process group, so ending it ends whatever the flow started too.
 */

export interface ChildConnections {
  metadata: PythonConnection;
  /** Null: the flow's source / target connection is the metadata connection. */
  source: PythonConnection | null;
  target: PythonConnection | null;
}

export interface ChildRun {
  prcid: number;
  mapref: string;
  /** session_params: prcid, sessionid, mapref, param1…param10 (those given). */
  params: Record<string, string | number>;
  requestParams: Record<string, unknown>;
  tag: PythonRunTag;
  code: string;
  truncate: { schema: string | null; table: string } | null;
}

/** What flowChild.py reports of a finished execute_job. */
export interface ChildResult {
  status: 'PC' | 'FL' | 'ST';
  message: string | null;
  detail?: string;
  counts?: { source_rows?: number; target_rows?: number; error_rows?: number };
}

/** How the process ended: its result if it sent one, and its exit code or signal. */
export interface ChildExit {
  result: ChildResult | null;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it wrote on stderr, for the error row of a crash. */
  stderrTail: string[];
}

/** Environment variables a child must not inherit: the worker's credentials. */
const SECRET_ENV = /^(DWPRC_DATABASE_URL|DWPRC_DATABASE_PASSWORD(_FILE)?|DWPRC_TEST_.*_URL|PGPASSWORD)$/;
const STDERR_TAIL = 20;
/** After TERM, the group gets this long before KILL. */
export const KILL_AFTER_MS = 3_000;
/** How long what the flow started may outlive the child before its group is killed. */
const ORPHANS_GRACE_MS = 1_000;

type Message = { ready: { sessionId: number } } | { refused: { message: string } } | { result: ChildResult };

export class PythonChild {
  /** Where the flow's output lines go: the run's logger once its row exists. */
  log: Logger;
  readonly exited: Promise<ChildExit>;
  #result: ChildResult | null = null;
  #stderrTail: string[] = [];
  #messages: Message[] = [];
  #waiter: (() => void) | null = null;
  #gone = false;

  private constructor(
    private readonly process: ChildProcess,
    log: Logger,
  ) {
    this.log = log;
    this.#lines(process.stdout!, 'stdout');
    this.#lines(process.stderr!, 'stderr');
    createInterface({ input: process.stdio[3] as Readable, crlfDelay: Infinity }).on('line', (line) => this.#message(line));
    // stdin fails with EPIPE once the child is gone; its exit says what happened.
    process.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      process.once('close', (code, signal) => {
        this.#signalGroup('SIGKILL');
        this.#gone = true;
        resolve({ result: this.#result, code, signal, stderrTail: this.#stderrTail });
      });
    });
    // 'close' waits for the pipes, which processes the flow started may hold open: once the
    // child has exited, what is left of its group is ended.
    process.once('exit', () => setTimeout(() => this.#signalGroup('SIGKILL'), ORPHANS_GRACE_MS).unref());
  }

  get pid(): number {
    return this.process.pid!;
  }

  /**
   * Starts the interpreter and has it open its connections. Resolves with the child and its
   * metadata session id once they are open; nothing is written to the database yet. A missing
   * interpreter, driver module or connection is a UserError (one line), the child gone.
   */
  static async start(options: { interpreter: string; path: readonly string[]; connections: ChildConnections; log: Logger }): Promise<{ child: PythonChild; sessionId: number }> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SECRET_ENV.test(name)));
    const spawned = spawn(options.interpreter, ['-u', flowChildScript()], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    });
    const failed = once(spawned, 'error').then(([error]) => {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(
        code === 'ENOENT'
          ? `DWPRC_PYTHON: no Python interpreter "${options.interpreter}" (not found); set DWPRC_PYTHON to a Python 3 with psycopg2 (PostgreSQL) or oracledb (Oracle), e.g. /usr/bin/python3`
          : `DWPRC_PYTHON: "${options.interpreter}" could not be started: ${(error as Error).message}`,
      );
    });
    if (spawned.pid === undefined) await failed;
    const child = new PythonChild(spawned, options.log);
    try {
      child.#send({ connect: { ...options.connections, path: options.path } });
      const answer = await Promise.race([child.#next(), failed, child.exited.then((exit) => ({ exit }))]);
      if ('ready' in answer) return { child, sessionId: answer.ready.sessionId };
      if ('refused' in answer) throw new UserError(answer.refused.message);
      const { exit } = answer as { exit: ChildExit };
      throw new UserError(`the Python child (${options.interpreter}) ended before opening its connections: ${describeExit(exit)}`);
    } catch (error) {
      await child.kill();
      throw error;
    }
  }

  /** Sends the run: from here on the flow runs. Resolves when the process has ended. */
  run(run: ChildRun): Promise<ChildExit> {
    this.#send({ run });
    return this.exited;
  }

  /**
   * Ends the process group: TERM, then KILL if anything of it is left after KILL_AFTER_MS.
   * Resolves once the child itself has exited.
   */
  async kill(): Promise<ChildExit> {
    this.#signalGroup('SIGTERM');
    const timer = setTimeout(() => this.#signalGroup('SIGKILL'), KILL_AFTER_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      // The flow's own children may outlive the leader's exit; the group goes with it.
      this.#signalGroup('SIGKILL');
    }
  }

  #signalGroup(signal: NodeJS.Signals) {
    // Once the child is reaped and its pipes closed, its pid is free for reuse: never signal it again.
    if (this.#gone) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  }

  #send(message: unknown) {
    this.process.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  #lines(stream: Readable, name: 'stdout' | 'stderr') {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (name === 'stderr') {
        this.#stderrTail.push(line);
        if (this.#stderrTail.length > STDERR_TAIL) this.#stderrTail.shift();
      }
      if (line.trim() !== '') this.log.info({ stream: name }, line);
    });
  }

  #message(line: string) {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      this.log.warn({ line }, 'unreadable line from the Python child');
      return;
    }
    if ('result' in message) this.#result = message.result;
    this.#messages.push(message);
    this.#waiter?.();
  }

  async #next(): Promise<Message> {
    while (this.#messages.length === 0) await new Promise<void>((resolve) => (this.#waiter = resolve));
    this.#waiter = null;
    return this.#messages.shift()!;
  }
}

/** `exited with code 3` / `was killed by signal SIGSEGV`, with the last stderr line. */
export function describeExit(exit: Pick<ChildExit, 'code' | 'signal' | 'stderrTail'>): string {
  const how = exit.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
  const last = exit.stderrTail.at(-1);
  return last ? `${how} (${last.trim()})` : how;
}
