import { createMemoryDatabase, MemoryStore } from '../unit/bridge/memory-store.ts';
import { describeEventStoreContract } from './event-store.contract.ts';

// The in-memory test double the HTTP tests use keeps the same contract as the real stores.
describeEventStoreContract('in-memory', async () => {
  const database = createMemoryDatabase();
  return {
    open: () => new MemoryStore(database),
    appliedVersions: async () => [...database.applied].sort((a, b) => a - b),
    destroy: async () => {},
  };
});
