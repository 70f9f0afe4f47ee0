import { verdictOf, type ExitSwitches } from '../release/exit-policy.ts';
import type { Result } from '../wait/types.ts';

// The exit code says what became of the build, so a pipeline can branch without parsing logs (README, "The
// CLI"). A tolerated failure (fail-on-rejected or fail-on-timeout off) exits 0, as the action's step passes.

export const EXIT = {
  /**
   * approved, processed, submitted, handed-off, test-delivered, succeeded; or a rejection or timeout
   * tolerated. handed-off: the bridge took the build and reports its outcome (notification, handoff state).
   */
  ok: 0,
  /** The build was refused: rejected (another provider's unit of work failed or was cancelled). */
  rejected: 1,
  /** No outcome before the deadline: the build may still go live; `wait` can take over. */
  timedOut: 2,
  /** The run ended with no outcome: a wait path or API call that failed, an upload left unanswered. */
  error: 3,
  /** Flags or variables that cannot work (sysexits' EX_USAGE): nothing was sent. */
  usage: 64,
  /** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;

export function exitCodeOf(result: Result, switches: ExitSwitches): number {
  if (verdictOf(result, switches) !== 'fail') return EXIT.ok;
  switch (result.outcome) {
    case 'rejected':
    case 'failed':
    case 'cancelled':
      return EXIT.rejected;
    case 'timed-out':
      return EXIT.timedOut;
    default:
      return EXIT.error;
  }
}
