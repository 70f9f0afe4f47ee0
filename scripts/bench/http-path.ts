// CPU per webhook of the bridge's HTTP path alone: the fastify app (hooks, token, intake, metrics, reply)
// driven in-process through real loopback sockets against a store that acknowledges at once, so neither
// fsync nor another process's scheduling blurs a change of a few microseconds. Prints µs of this process's
// CPU per request (load generator included, so compare runs, not absolute figures).
import { randomUUID } from 'node:crypto';
import { buildBridgeApp } from '../../src/bridge/app.ts';
import { parseProvidersConfig } from '../../src/bridge/provider-config.ts';
import type { EventStore } from '../../src/bridge/store/store.ts';
import { BENCH_PROVIDER_ENV, benchRequests, type BenchProvider } from './bench-webhooks.ts';
import { runLevel } from './load.ts';

const INGEST = 'bench-ingest-token-0123456789';
let cursor = 0;
const instantStore = {
  append: async () => ({ cursor: ++cursor, duplicate: false }),
  onAppend: () => () => {},
} as unknown as EventStore;

const providers = parseProvidersConfig(BENCH_PROVIDER_ENV);
if (!providers.ok) throw new Error(providers.problems.join('; '));
const app = buildBridgeApp({
  config: { ingestToken: INGEST, readToken: randomUUID(), projectIds: undefined, providers: providers.value },
  store: instantStore,
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
for (const provider of (process.env.BENCH_PROVIDERS?.split(',') ?? [
  'streampixel',
  'buildpixel',
  'pixop',
]) as BenchProvider[]) {
  const path = `/hooks/${provider}/${INGEST}`;
  await runLevel(url, path, benchRequests(provider, 20_000, 'warm'), 16, 1);
  const requests = benchRequests(provider, 200_000, 'measure');
  const cpu = process.cpuUsage();
  const result = await runLevel(url, path, requests, 16, seconds);
  const used = process.cpuUsage(cpu);
  const perRequest = (used.user + used.system) / result.latencies.length;
  console.log(
    `${provider}: ${Math.round(result.rate)}/s, ${perRequest.toFixed(1)} µs CPU per request (server and load generator)`,
  );
}
await app.close();
