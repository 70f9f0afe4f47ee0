import { WILDCARD, type EventStore } from './store/store.ts';

// Who is waiting for which (provider, subject). Long-polls and streams subscribe here; the registry listens
// to store.onAppend once and wakes only the subscriptions of the subject that changed. A notification is a
// hint to re-query, never data: it may be lost (another process, a dropped LISTEN connection) or spurious,
// so every waiter also wakes on a safety interval and a lost notification costs at most that long. The
// store's WILDCARD ('*', '*') wakes everyone; (provider, '*') wakes every subject of one provider.

/** Why `next()` returned: re-query on 'appended' and 'interval'; stop on 'aborted' and 'closed'. */
export type WakeReason = 'appended' | 'interval' | 'aborted' | 'closed';

export interface Subscription {
  /**
   * Resolves at the next notification for this subject (or at once when one arrived since the last call),
   * when the safety interval passes, when `signal` aborts, or when the registry closes. One caller at a time.
   */
  next(signal?: AbortSignal): Promise<WakeReason>;
  /** Leaves the registry; a pending `next()` resolves 'closed'. Idempotent. */
  close(): void;
}

export interface WaiterRegistry {
  /** Subscribe BEFORE the first read, so an append between read and wait is never missed. */
  subscribe(provider: string, subject: string): Subscription;
  /** Open subscriptions. */
  readonly size: number;
  /**
   * True once `size` reaches `maxSize`: callers refuse new waits (503) rather than subscribe. The registry
   * itself never refuses, so a caller that must finish a wait can.
   */
  readonly full: boolean;
  readonly maxSize: number;
  readonly closed: boolean;
  /** Ends every subscription ('closed', now and on every later call) and stops listening to the store. */
  close(): void;
}

export interface WaiterRegistryOptions {
  store: Pick<EventStore, 'onAppend'>;
  /** Each waiter re-queries at least this often even without a notification. */
  requeryIntervalMs?: number;
  /** Concurrent long-polls and streams (default: no limit). */
  maxSize?: number;
}

export const DEFAULT_REQUERY_INTERVAL_MS = 5_000;

interface Entry {
  notify(): void;
  end(): void;
}

export function createWaiterRegistry(options: WaiterRegistryOptions): WaiterRegistry {
  const requeryIntervalMs = options.requeryIntervalMs ?? DEFAULT_REQUERY_INTERVAL_MS;
  const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
  const bySubject = new Map<string, Set<Entry>>();
  let size = 0;
  let closed = false;

  const keyOf = (provider: string, subject: string) => `${provider}\0${subject}`;

  const unsubscribe = options.store.onAppend((provider, subject) => {
    if (provider === WILDCARD || subject === WILDCARD) {
      for (const [key, entries] of bySubject) {
        if (provider === WILDCARD || key.startsWith(`${provider}\0`))
          for (const entry of entries) entry.notify();
      }
      return;
    }
    const entries = bySubject.get(keyOf(provider, subject));
    if (entries) for (const entry of entries) entry.notify();
  });

  function subscribe(provider: string, subject: string): Subscription {
    const key = keyOf(provider, subject);
    let pending = false;
    let ended = closed;
    let wake: ((reason: WakeReason) => void) | null = null;

    const entry: Entry = {
      notify() {
        if (wake) wake('appended');
        else pending = true;
      },
      end() {
        if (ended) return;
        ended = true;
        size -= 1;
        const entries = bySubject.get(key);
        entries?.delete(entry);
        if (entries?.size === 0) bySubject.delete(key);
        wake?.('closed');
      },
    };

    if (!ended) {
      let entries = bySubject.get(key);
      if (!entries) bySubject.set(key, (entries = new Set()));
      entries.add(entry);
      size += 1;
    }

    return {
      next(signal) {
        if (ended) return Promise.resolve<WakeReason>('closed');
        if (pending) {
          pending = false;
          return Promise.resolve<WakeReason>('appended');
        }
        if (signal?.aborted) return Promise.resolve<WakeReason>('aborted');
        return new Promise<WakeReason>((resolve) => {
          const timer = setTimeout(() => done('interval'), requeryIntervalMs);
          const onAbort = () => done('aborted');
          signal?.addEventListener('abort', onAbort, { once: true });
          function done(reason: WakeReason) {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            wake = null;
            resolve(reason);
          }
          wake = done;
        });
      },
      close: () => entry.end(),
    };
  }

  return {
    subscribe,
    get size() {
      return size;
    },
    get full() {
      return size >= maxSize;
    },
    maxSize,
    get closed() {
      return closed;
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const entries of [...bySubject.values()]) for (const entry of [...entries]) entry.end();
    },
  };
}
