/**
 * Streampixel's limit: one successful request per window per key (user and endpoint). Only `record`
 * consumes the window, so refused and failed calls leave it untouched. `now` is simulated time.
 */
export function createRateLimiter(windowMs: number, now: () => number) {
  const lastAccepted = new Map<string, number>();
  return {
    isLimited(key: string): boolean {
      const last = lastAccepted.get(key);
      return windowMs > 0 && last !== undefined && now() - last < windowMs;
    },
    record(key: string): void {
      lastAccepted.set(key, now());
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
