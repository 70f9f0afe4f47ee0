// The main thread's side of the SQLite writer thread (sqlite-writer.ts): starts it, sends it requests and
// pairs the replies. A request resolves only on the thread's reply that it is done, so an append is never
// acknowledged unless its transaction committed. A thread that stops without being asked to fails every
// request in flight and every later one, and stays failed: the store reports itself unusable (ping throws,
// readiness answers 503) rather than waiting for a reply that will not come.

import { Worker, type WorkerOptions } from 'node:worker_threads';
import { messageOf } from '../../lib/error-message.ts';
import type { Logger } from '../../lib/logger.ts';
import { STORE_ERROR_CODE, StoreError, storeClosed } from './errors.ts';
import type { SqliteWriterOptions, WriterFailure, WriterReply, WriterRequest } from './sqlite-writer.ts';

export interface SqliteWriterClientOptions extends SqliteWriterOptions {
  /** The thread's entry module. */
  entry: URL;
  logger: Logger;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class SqliteWriterClient {
  readonly #worker: Worker;
  readonly #logger: Logger;
  readonly #pending = new Map<number, Pending>();
  readonly #exited: Promise<void>;
  #nextId = 1;
  #closing = false;
  #failure: StoreError | undefined;

  constructor(options: SqliteWriterClientOptions) {
    const { entry, logger, ...writer } = options;
    this.#logger = logger;
    this.#worker = startThread(entry, { workerData: writer, name: 'sqlite-writer' });
    // An idle store does not keep the process alive (a DatabaseSync on the main thread did not either);
    // a request in flight does, so a script awaiting an append is not cut short.
    this.#worker.unref();
    let uncaught: unknown;
    this.#worker.on('message', (reply: WriterReply) => this.#settle(reply));
    this.#worker.on('error', (error) => (uncaught = error));
    // A reply that cannot be deserialised leaves its request unanswered: stop, so every request fails.
    this.#worker.on('messageerror', () => void this.#worker.terminate());
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', (code) => {
        this.#exit(code, uncaught);
        resolve();
      }),
    );
  }

  /** Set once the thread stopped without being asked to: nothing can be written any more. */
  get failure(): StoreError | undefined {
    return this.#failure;
  }

  request<T>(request: WriterRequest): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closing) return Promise.reject(storeClosed());
    const id = this.#nextId;
    this.#nextId += 1;
    return new Promise<T>((resolve, reject) => {
      this.#worker.postMessage({ ...request, id });
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Closes the thread's connection after every request already sent, and waits for the thread to end. */
  async close(): Promise<void> {
    // Held until the thread has ended, or a script awaiting close() would exit with its promise unsettled.
    this.#worker.ref();
    if (!this.#failure && !this.#closing) {
      const closed = this.request({ op: 'close' });
      this.#closing = true;
      // A thread that dies instead of closing has already failed what it held; there is nothing left to do.
      await closed.catch(() => undefined);
    }
    await this.#exited;
  }

  #settle(reply: WriterReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0 && !this.#closing) this.#worker.unref();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(toError(reply.error));
  }

  #exit(code: number, uncaught: unknown): void {
    if (this.#closing && this.#pending.size === 0) return;
    const reason = uncaught === undefined ? '' : `: ${messageOf(uncaught)}`;
    this.#failure = new StoreError(
      STORE_ERROR_CODE.writeFailed,
      `the SQLite writer thread stopped (exit code ${code})${reason}; writes are refused until the bridge restarts`,
      { cause: uncaught },
    );
    this.#logger.error(`event store: ${this.#failure.message}`);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of pending) reject(this.#failure);
  }
}

/**
 * The thread, with the process's flags (profiling, conditions, imports) less those it may not be given: those
 * about an --eval script, which a thread started from a file refuses (`node --input-type=module -e …`
 * starting a store), and V8 or process-wide ones (--max-old-space-size, --title), which already apply to it
 * and which Node refuses by name. Node has no list of the latter, so they are learnt from its refusal.
 */
function startThread(entry: URL, options: WorkerOptions): Worker {
  let execArgv = withoutFlags(process.execArgv, EVAL_FLAGS, 'always');
  // Node does not always name every refused flag at once (`--title t --max-old-space-size=256` names only
  // the first): try again without each one named until none is. Each try passes fewer flags.
  for (;;) {
    try {
      return new Worker(entry, { ...options, execArgv });
    } catch (error) {
      const refused = refusedFlags(error);
      const allowed = refused && withoutFlags(execArgv, refused, 'when-separate');
      // Nothing to leave out (Node's message has changed?): the refusal stands.
      if (!allowed || allowed.length === execArgv.length) throw error;
      execArgv = allowed;
    }
  }
}

/**
 * The flags named by ERR_WORKER_INVALID_EXEC_ARGV ("Initiated Worker with invalid execArgv flags: a, b"),
 * by name: `--max-old-space-size=256` as `--max-old-space-size`.
 */
function refusedFlags(error: unknown): Set<string> | undefined {
  if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return undefined;
  const list = messageOf(error).split(': ').slice(1).join(': ');
  return new Set(list.split(', ').map(flagName));
}

const EVAL_FLAGS: ReadonlySet<string> = new Set(['-e', '--eval', '-p', '--print', '--input-type']);

const flagName = (arg: string): string => arg.split('=', 1)[0] as string;

/**
 * `argv` less the flags in `drop`, each with its value: written `--flag=value`, or as the next word, which
 * the eval flags always take and another flag takes when that word is not a flag itself (`--title bridge`).
 */
function withoutFlags(
  argv: readonly string[],
  drop: ReadonlySet<string>,
  separateValue: 'always' | 'when-separate',
): string[] {
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (!drop.has(flagName(arg))) {
      kept.push(arg);
      continue;
    }
    const next = argv[index + 1];
    const valueNext = separateValue === 'always' || (next !== undefined && !next.startsWith('-'));
    if (!arg.includes('=') && valueNext) index += 1;
  }
  return kept;
}

function toError(failure: WriterFailure): Error {
  return failure.code ? new StoreError(failure.code, failure.message) : new Error(failure.message);
}
