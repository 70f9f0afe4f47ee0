// `npm run bench`: every benchmark, printed as Markdown for BENCHMARKS.md. Not a test: it asserts nothing,
// it measures. PostgreSQL figures need BENCH_POSTGRES_URL (or TEST_POSTGRES_URL) pointing at a server.
import { cpus, totalmem } from 'node:os';
import { benchActionStart } from './action-start.ts';
import { benchBridge } from './bridge.ts';
import { benchStores } from './store.ts';

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(
  `Command: npm run bench${process.env.BENCH_SECONDS ? ` (BENCH_SECONDS=${process.env.BENCH_SECONDS})` : ''}\n`,
);
console.log('### Action\n');
for (const line of await benchActionStart()) console.log(`- ${line}`);
console.log('\n### Release bridge\n');
for (const line of await benchBridge()) console.log(line);
for (const line of await benchStores()) console.log(line);
