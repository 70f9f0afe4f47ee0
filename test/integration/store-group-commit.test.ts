import { expect, test } from 'vitest';
import { GroupCommitQueue } from '../../src/bridge/store/group-commit.ts';

// The batching engine both stores share, driven with a fake commit. (A unit test by nature; it lives here
// because this change owns only the store's paths under test/.)

function recordingQueue(maxBatch: number, fail: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const queue = new GroupCommitQueue<number, string>({
    maxBatch,
    commit: async (items) => {
      batches.push([...items]);
      await Promise.resolve();
      if (items.some(fail)) throw new Error(`poison in ${items.join(',')}`);
      return items.map((item) => `ok:${item}`);
    },
  });
  return { queue, batches };
}

test('items pushed in one turn of the event loop share one commit, in push order', async () => {
  const { queue, batches } = recordingQueue(100);
  const results = await Promise.all([1, 2, 3, 4].map((item) => queue.push(item)));
  expect(results).toEqual(['ok:1', 'ok:2', 'ok:3', 'ok:4']);
  expect(batches).toEqual([[1, 2, 3, 4]]);
  expect(queue.stats()).toEqual({ batches: 1, committed: 4, largestBatch: 4, failedBatches: 0 });
});

test('a full batch starts at once, and what queues meanwhile becomes the next batch', async () => {
  const { queue, batches } = recordingQueue(3);
  const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((item) => queue.push(item)));
  expect(results).toHaveLength(7);
  expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
});

test('one failing item fails alone: its batch is retried item by item', async () => {
  const { queue, batches } = recordingQueue(10, (item) => item === 2);
  const settled = await Promise.allSettled([1, 2, 3].map((item) => queue.push(item)));
  expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  expect(queue.stats()).toMatchObject({ batches: 2, committed: 2, failedBatches: 1 });
});

test('drain resolves only once every pushed item has settled', async () => {
  const { queue } = recordingQueue(2);
  const settled: number[] = [];
  for (const item of [1, 2, 3, 4, 5]) void queue.push(item).then(() => settled.push(item));
  await queue.drain();
  await Promise.resolve();
  expect(settled.sort()).toEqual([1, 2, 3, 4, 5]);
});
