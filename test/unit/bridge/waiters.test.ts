import { describe, expect, it, onTestFinished } from 'vitest';
import { WILDCARD } from '../../../src/bridge/store/store.ts';
import { createWaiterRegistry } from '../../../src/bridge/waiters.ts';

function setup(requeryIntervalMs = 60_000, maxSize?: number) {
  const notify = (provider: string, subject: string) => {
    // The registry's only input from the store is onAppend; drive it directly.
    for (const listener of listeners) listener(provider, subject);
  };
  const listeners: Array<(provider: string, subject: string) => void> = [];
  const registry = createWaiterRegistry({
    store: {
      onAppend(listener) {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
    },
    requeryIntervalMs,
    maxSize,
  });
  onTestFinished(() => registry.close());
  return { registry, notify, listeners };
}

/** Settles `promise` against one macrotask: 'pending' when it has not resolved by then. */
const state = <T>(promise: Promise<T>) =>
  Promise.race([promise, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);

describe('createWaiterRegistry', () => {
  it('wakes only the subscriptions of the subject that changed', async () => {
    const { registry, notify } = setup();
    const a = registry.subscribe('streampixel', 'up-1');
    const b = registry.subscribe('streampixel', 'up-2');
    const c = registry.subscribe('other', 'up-1');
    const [na, nb, nc] = [a.next(), b.next(), c.next()];
    notify('streampixel', 'up-1');
    expect(await state(na)).toBe('appended');
    expect(await state(nb)).toBe('pending');
    expect(await state(nc)).toBe('pending');
    b.close();
    c.close();
    expect(await nb).toBe('closed');
    expect(await nc).toBe('closed');
  });

  it('remembers a notification that arrives while nobody waits (the read-then-wait race)', async () => {
    const { registry, notify } = setup();
    const subscription = registry.subscribe('streampixel', 'up-1');
    notify('streampixel', 'up-1');
    notify('streampixel', 'up-1');
    expect(await subscription.next()).toBe('appended');
    // Two notifications before the read collapse into one re-query.
    expect(await state(subscription.next())).toBe('pending');
  });

  it('wakes everyone on the wildcard, and every subject of a provider on (provider, *)', async () => {
    const { registry, notify } = setup();
    const a = registry.subscribe('streampixel', 'up-1');
    const b = registry.subscribe('other', 'x');
    const [na, nb] = [a.next(), b.next()];
    notify('streampixel', WILDCARD);
    expect(await state(na)).toBe('appended');
    expect(await state(nb)).toBe('pending');
    notify(WILDCARD, WILDCARD);
    expect(await state(nb)).toBe('appended');
  });

  it('wakes on the safety interval without any notification', async () => {
    const { registry } = setup(5);
    const subscription = registry.subscribe('streampixel', 'up-1');
    expect(await subscription.next()).toBe('interval');
  });

  it('resolves aborted when the signal aborts, and at once when it already had', async () => {
    const { registry } = setup();
    const subscription = registry.subscribe('streampixel', 'up-1');
    const controller = new AbortController();
    const waiting = subscription.next(controller.signal);
    controller.abort();
    expect(await waiting).toBe('aborted');
    expect(await subscription.next(controller.signal)).toBe('aborted');
  });

  it('counts open subscriptions and forgets closed ones', () => {
    const { registry } = setup();
    const a = registry.subscribe('streampixel', 'up-1');
    const b = registry.subscribe('streampixel', 'up-1');
    expect(registry.size).toBe(2);
    a.close();
    a.close();
    expect(registry.size).toBe(1);
    b.close();
    expect(registry.size).toBe(0);
  });

  it('is full at maxSize and has room again once a subscription closes', () => {
    const { registry } = setup(60_000, 2);
    expect(registry.maxSize).toBe(2);
    const first = registry.subscribe('p', 'a');
    expect(registry.full).toBe(false);
    registry.subscribe('p', 'b');
    expect(registry.full).toBe(true);
    first.close();
    expect(registry.full).toBe(false);
  });

  it('is never full without maxSize', () => {
    const { registry } = setup();
    for (let i = 0; i < 5_000; i += 1) registry.subscribe('p', String(i));
    expect(registry.full).toBe(false);
  });

  it('close() ends every wait, refuses new ones and stops listening to the store', async () => {
    const { registry, listeners } = setup();
    const subscription = registry.subscribe('streampixel', 'up-1');
    const waiting = subscription.next();
    registry.close();
    expect(await waiting).toBe('closed');
    expect(registry.size).toBe(0);
    expect(listeners).toHaveLength(0);
    const late = registry.subscribe('streampixel', 'up-1');
    expect(await late.next()).toBe('closed');
    expect(registry.size).toBe(0);
  });

  it('subscribes to the store once, however many waiters', () => {
    const { registry, listeners } = setup();
    for (let i = 0; i < 10; i += 1) registry.subscribe('streampixel', `up-${i}`);
    expect(listeners).toHaveLength(1);
  });
});
