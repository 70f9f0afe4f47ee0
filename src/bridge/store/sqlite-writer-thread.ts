// Entry of the SQLite writer thread (sqlite-writer.ts), started by sqlite-writer-client.ts. In the ncc
// bundle it is an entry of its own: `npm run build:bridge` builds it into dist/bridge/sqlite-writer/.

import { parentPort, workerData } from 'node:worker_threads';
import { serveSqliteWriter, type SqliteWriterOptions } from './sqlite-writer.ts';

if (!parentPort) throw new Error('sqlite-writer-thread.ts runs as a worker thread of the SQLite store');
serveSqliteWriter(parentPort, workerData as SqliteWriterOptions);
