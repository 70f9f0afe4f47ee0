/** "45 min", "1.5 min", "30 s": how long a deadline was, in the words of a failure message. */
export function formatMinutes(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round((ms / 60_000) * 10) / 10;
  return `${minutes} min`;
}

/** "13:05:00Z" from an ISO timestamp; the input unchanged when it does not parse. */
export function formatTimeOfDay(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(11, 19)}Z`;
}

/** "250 ms", "59 s", "3 min 05 s": how long something took, in a timeline or a heartbeat. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}
