import type { Result } from '../wait/types.ts';

// How a result maps to the step's (or the CLI's) status. Pure: the action and the CLI apply it alike.

export type Verdict = 'pass' | 'warn' | 'fail';

export interface ExitSwitches {
  failOnRejected: boolean;
  failOnTimeout: boolean;
}

/**
 * A failure fails, unless it is an outcome its switch tolerates: a rejection (or another provider's failed or
 * cancelled unit of work) with fail-on-rejected off, a timeout with fail-on-timeout off. A result with no
 * outcome (nothing sent, an upload left unanswered) is never tolerated.
 */
export function verdictOf(result: Result, switches: ExitSwitches): Verdict {
  if (!result.failure) return 'pass';
  switch (result.outcome) {
    case 'rejected':
    case 'failed':
    case 'cancelled':
      return switches.failOnRejected ? 'fail' : 'warn';
    case 'timed-out':
      return switches.failOnTimeout ? 'fail' : 'warn';
    default:
      return 'fail';
  }
}
