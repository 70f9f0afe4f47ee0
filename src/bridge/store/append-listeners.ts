import type { AppendListener } from './store.ts';

/** (provider, subject) pairs, once each, in first-seen order. */
export class SubjectSet {
  // NUL cannot occur in a stored provider or subject (validate.ts), so it separates them unambiguously.
  readonly #pairs = new Map<string, readonly [string, string]>();
  add(provider: string, subject: string): void {
    this.#pairs.set(`${provider}\u0000${subject}`, [provider, subject]);
  }
  get size(): number {
    return this.#pairs.size;
  }
  [Symbol.iterator](): IterableIterator<readonly [string, string]> {
    return this.#pairs.values();
  }
}

/** The onAppend subscribers of one store. A throwing listener is reported and never stops the others. */
export class AppendListeners {
  // Wrapped so the same function subscribed twice is two subscriptions, each with its own unsubscribe.
  readonly #listeners = new Set<{ listener: AppendListener }>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  get size(): number {
    return this.#listeners.size;
  }

  add(listener: AppendListener): () => void {
    const entry = { listener };
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  emit(provider: string, subject: string): void {
    for (const { listener } of [...this.#listeners]) {
      try {
        listener(provider, subject);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  emitAll(subjects: Iterable<readonly [string, string]>): void {
    if (this.#listeners.size === 0) return;
    for (const [provider, subject] of subjects) this.emit(provider, subject);
  }
}
