import { readFile } from 'node:fs/promises';

// Memory of a bridge process seen from outside: resident set from /proc (Linux), heap from the bridge's own
// /metrics (prom-client's default nodejs_heap_size_used_bytes), so the test process's memory never mixes in.

export interface MemorySample {
  atMs: number;
  rssMb: number;
  heapMb?: number;
}

const MB = 1024 * 1024;

export async function sampleMemory(pid: number, bridgeUrl: string, startedAt: number): Promise<MemorySample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  const metrics = await fetch(`${bridgeUrl}/metrics`).then(
    (response) => response.text(),
    () => '',
  );
  const heap = Number(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1]);
  const rss = Number.isFinite(rssKb)
    ? rssKb * 1024
    : Number(/^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1]);
  return {
    atMs: Date.now() - startedAt,
    rssMb: Math.round((rss / MB) * 10) / 10,
    ...(Number.isFinite(heap) ? { heapMb: Math.round((heap / MB) * 10) / 10 } : {}),
  };
}
