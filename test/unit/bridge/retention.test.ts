import { describe, expect, it, onTestFinished } from 'vitest';
import { createRetentionJob } from '../../../src/bridge/retention.ts';
import { createMemoryStore } from './memory-store.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2025-06-30T00:00:00Z');

function logger() {
  const lines: Array<{ level: string; fields: object; message: string }> = [];
  return {
    lines,
    info: (fields: object, message: string) => void lines.push({ level: 'info', fields, message }),
    error: (fields: object, message: string) => void lines.push({ level: 'error', fields, message }),
  };
}

async function storeWithAges(ages: number[]) {
  const store = createMemoryStore();
  for (const [i, age] of ages.entries()) {
    await store.append({
      provider: 'streampixel',
      subject: 'up-1',
      type: 'build.uploaded',
      dedupeKey: `k${i}`,
      receivedAt: new Date(NOW - age * DAY),
      body: '{}',
    });
  }
  return store;
}

describe('createRetentionJob', () => {
  it('purges at start, keeping events younger than the retention', async () => {
    const store = await storeWithAges([40, 31, 29, 1]);
    const log = logger();
    const job = createRetentionJob({ store, retentionDays: 30, logger: log, now: () => NOW });
    onTestFinished(() => job.close());
    await job.close();
    expect(store.events).toHaveLength(2);
    expect(log.lines).toEqual([
      {
        level: 'info',
        fields: { purged: 2, cutoff: '2025-05-31T00:00:00.000Z' },
        message: 'purged old events',
      },
    ]);
  });

  it('runs again on its interval', async () => {
    const store = await storeWithAges([]);
    let now = NOW;
    const job = createRetentionJob({
      store,
      retentionDays: 1,
      logger: logger(),
      now: () => now,
      intervalMs: 5,
    });
    onTestFinished(() => job.close());
    await store.append({
      provider: 'streampixel',
      subject: 'up-1',
      type: 'build.uploaded',
      dedupeKey: 'late',
      receivedAt: new Date(NOW),
      body: '{}',
    });
    now = NOW + 2 * DAY;
    await expect.poll(() => store.events.length).toBe(0);
  });

  it('logs a failed purge and keeps going', async () => {
    const store = await storeWithAges([40]);
    store.failWith(new Error('disk I/O error'), ['purgeOlderThan']);
    const log = logger();
    const job = createRetentionJob({ store, retentionDays: 30, logger: log, now: () => NOW });
    onTestFinished(() => job.close());
    expect(await job.runOnce()).toBe(0);
    expect(log.lines[0]).toMatchObject({ level: 'error' });
    store.failWith(null);
    expect(await job.runOnce()).toBe(1);
  });
});
