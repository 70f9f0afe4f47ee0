// The load generator: N senders, each in a loop, POST the next prepared webhook and wait for its answer
// (undici, one keep-alive connection per sender). A request counts when its 200 arrived; latency is the
// HTTP round trip. The same code measures the bridge and the no-op server.
import { Pool } from 'undici';
import type { BenchRequest } from './bench-webhooks.ts';

export interface LevelResult {
  senders: number;
  rate: number;
  latencies: number[];
  /** Requests sent again because the prepared ones ran out (the bridge acks them as duplicates). */
  reused: number;
}

export async function runLevel(
  url: string,
  path: string,
  requests: readonly BenchRequest[],
  senders: number,
  seconds: number,
): Promise<LevelResult> {
  const pool = new Pool(url, { connections: senders });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (performance.now() < end) {
        const { body, headers } = requests[next++ % requests.length]!;
        const t0 = performance.now();
        const response = await pool.request({ method: 'POST', path, headers, body });
        await response.body.dump();
        if (response.statusCode !== 200)
          throw new Error(`${path.split('/')[2]} answered ${response.statusCode}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return {
    senders,
    rate: latencies.length / elapsed,
    latencies,
    reused: Math.max(0, next - requests.length),
  };
}
