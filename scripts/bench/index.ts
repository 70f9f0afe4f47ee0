// `npm run bench`: every benchmark, printed as Markdown for BENCHMARKS.md. Not a test: it asserts nothing,
// it measures. PostgreSQL figures need BENCH_POSTGRES_URL (or TEST_POSTGRES_URL) pointing at a server.
import { cpus, loadavg, totalmem } from 'node:os';
import { benchActionStart } from './action-start.ts';
import { benchBridge } from './bridge.ts';
import { benchFsync } from './fsync.ts';
import { benchStores } from './store.ts';

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
);
// The cores are shared: how busy they already were says how far to trust this run's absolute figures.
console.log(
  `Load average at start (1, 5, 15 min): ${loadavg()
    .map((load) => load.toFixed(2))
    .join(', ')}`,
);
const knobs = Object.entries(process.env)
  .filter(([name]) => name.startsWith('BENCH_') && name !== 'BENCH_POSTGRES_URL')
  .map(([name, value]) => `${name}=${value}`);
console.log(`Command: ${[...knobs, 'npm run bench'].join(' ')}\n`);
console.log('### Action\n');
for (const line of await benchActionStart()) console.log(`- ${line}`);
console.log('\n### Release bridge\n');
for (const line of await benchBridge()) console.log(line);
for (const line of await benchStores()) console.log(line);
// What one durable write costs on this disk: the floor under a lone sender's ack.
console.log('#### Durable write on this disk\n');
for (const line of benchFsync()) console.log(line);
