// Group commit: concurrent appends share one transaction, so a durable ack costs one fsync per batch
// instead of one per event. Items queue; a flush runs on the next turn of the event loop (setImmediate
// lets every request that arrived in the same I/O phase join), or at once when `maxBatch` items wait.
// One batch is in flight at a time: whatever queues meanwhile becomes the next batch the moment it ends,
// so batches grow with load and latency stays about one commit. (Both stores commit off the event loop, on
// SQLite's writer thread or PostgreSQL's server, so the next batch forms while one commits. A second batch
// in flight was measured on SQLite and bought nothing: more, smaller transactions for the same rate.)

export interface GroupCommitStats {
  /** Transactions committed (a batch retried item by item counts each retry). */
  batches: number;
  /** Items settled by a committed transaction. */
  committed: number;
  /** The most items one transaction committed. */
  largestBatch: number;
  /** Batches whose transaction failed and were retried one item at a time. */
  failedBatches: number;
}

export interface GroupCommitOptions<T, R> {
  /** The most items one transaction takes. */
  maxBatch: number;
  /**
   * Writes `items` in one transaction and returns one result per item, in order, only after the commit
   * is durable. Throws when nothing was committed.
   */
  commit(items: readonly T[]): Promise<readonly R[]> | readonly R[];
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class GroupCommitQueue<T, R> {
  readonly #maxBatch: number;
  readonly #commit: GroupCommitOptions<T, R>['commit'];
  #queue: Pending<T, R>[] = [];
  #inFlight: Promise<void> | undefined;
  #scheduled = false;
  readonly #stats: GroupCommitStats = { batches: 0, committed: 0, largestBatch: 0, failedBatches: 0 };

  constructor(options: GroupCommitOptions<T, R>) {
    if (!Number.isSafeInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError('maxBatch must be a positive integer');
    }
    this.#maxBatch = options.maxBatch;
    this.#commit = options.commit;
  }

  /** Resolves with the item's result once its batch has committed. */
  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      // A running flush starts the next batch itself when it ends.
      if (this.#inFlight) return;
      if (this.#queue.length >= this.#maxBatch) {
        this.#flush();
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          if (!this.#inFlight) this.#flush();
        });
      }
    });
  }

  /** Resolves once every item pushed so far has settled. */
  async drain(): Promise<void> {
    while (this.#inFlight || this.#queue.length > 0) {
      if (!this.#inFlight) this.#flush();
      await this.#inFlight;
    }
  }

  stats(): GroupCommitStats {
    return { ...this.#stats };
  }

  #flush(): void {
    if (this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#maxBatch);
    this.#inFlight = this.#run(batch).finally(() => {
      this.#inFlight = undefined;
      this.#flush();
    });
  }

  // Never rejects: every outcome is delivered to the items' own promises.
  async #run(batch: Pending<T, R>[]): Promise<void> {
    let results: readonly R[];
    try {
      results = await this.#commit(batch.map((pending) => pending.item));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
      } else {
        this.#stats.failedBatches += 1;
        await this.#retryOneByOne(batch);
      }
      return;
    }
    this.#settle(batch, results);
  }

  // One bad item (or a connection lost mid-batch) must not fail its neighbours: retry each alone.
  // Safe because appends are idempotent: a retried event that did commit comes back as a duplicate.
  async #retryOneByOne(batch: Pending<T, R>[]): Promise<void> {
    for (const pending of batch) {
      try {
        this.#settle([pending], await this.#commit([pending.item]));
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  #settle(batch: Pending<T, R>[], results: readonly R[]): void {
    if (results.length !== batch.length) {
      const error = new Error(`group commit: ${results.length} results for ${batch.length} items`);
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.#stats.batches += 1;
    this.#stats.committed += batch.length;
    this.#stats.largestBatch = Math.max(this.#stats.largestBatch, batch.length);
    batch.forEach((pending, index) => pending.resolve(results[index] as R));
  }
}
