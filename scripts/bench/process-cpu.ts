// A target process's own CPU time, read from /proc (Linux): what one webhook costs the server, whatever the
// other processes sharing the cores were doing, so it moves less between runs than a rate does.
import { readFileSync } from 'node:fs';
import type { BridgeProcess } from '../bridge-process.ts';

/** CPU seconds (user + system, every thread) the process has used so far. */
export function cpuSeconds(pid: number): number {
  // After the command name's closing parenthesis, which the name itself may contain.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Runs `load` and returns its result with the target's CPU µs per request it answered. */
export async function withCpuPerRequest<T extends { latencies: readonly number[] }>(
  target: BridgeProcess,
  load: () => Promise<T>,
): Promise<T & { cpuPerRequest: number }> {
  const pid = target.child.pid!;
  const before = cpuSeconds(pid);
  const result = await load();
  const answered = Math.max(1, result.latencies.length);
  return { ...result, cpuPerRequest: ((cpuSeconds(pid) - before) * 1e6) / answered };
}
