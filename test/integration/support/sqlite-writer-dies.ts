// A SQLite writer thread that commits its first batch, then dies in the middle of the second: after its
// inserts, before its COMMIT (process.exit in a worker ends the thread, not the process).
import { parentPort, workerData } from 'node:worker_threads';
import { serveSqliteWriter, type SqliteWriterOptions } from '../../../src/bridge/store/sqlite-writer.ts';

let batches = 0;
serveSqliteWriter(parentPort!, workerData as SqliteWriterOptions, {
  beforeCommit() {
    batches += 1;
    if (batches === 2) process.exit(70);
  },
});
