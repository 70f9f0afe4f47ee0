import type { StreampixelEndpoint } from '../streampixel/errors.ts';
import type { ApiFailure } from './scenario.ts';

export interface InjectedFailure {
  status: 500 | 429 | 503;
  retryAfterSeconds?: number;
}

/**
 * Hands out the scenario's API failures in order, each `times` times (default once). A fresh injector per
 * scenario, so `setScenario` re-arms them.
 */
export function createFailureInjector(failures: readonly ApiFailure[] = []) {
  const remaining = failures.map((failure) => ({ failure, left: failure.times ?? 1 }));
  return {
    take(endpoint: StreampixelEndpoint): InjectedFailure | undefined {
      const next = remaining.find((entry) => entry.failure.endpoint === endpoint && entry.left > 0);
      if (!next) return undefined;
      next.left -= 1;
      const { status, retryAfterSeconds } = next.failure;
      return retryAfterSeconds === undefined ? { status } : { status, retryAfterSeconds };
    },
  };
}
export type FailureInjector = ReturnType<typeof createFailureInjector>;
