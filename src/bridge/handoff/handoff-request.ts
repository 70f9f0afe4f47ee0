import { z } from 'zod';
import { PROVIDERS } from '../../webhooks/event.ts';

// What a job hands off (DESIGN §10): the build to follow and what to do once its outcome is known. Sent by
// the action to POST /v1/handoffs, stored as the handoff's request, read back by the follower.

/** The longest a handoff may run: a day, as the action's own timeout-minutes allows. */
export const MAX_HANDOFF_MS = 24 * 60 * 60_000;

export const HandoffRequestSchema = z.strictObject({
  provider: z.enum(PROVIDERS).default('streampixel'),
  /** Streampixel's uploadId, or another provider's unit of work. */
  subject: z.string().min(1).max(200),
  /** Streampixel's project (its events name it); null for another provider. */
  projectId: z.string().min(1).max(200).nullable(),
  command: z.enum(['release', 'distribute', 'wait']),
  /** Only events received from this moment on count (ms): the Distribute call of a rollback. */
  countFrom: z.number().int().nonnegative().nullable().default(null),
  /** When to give up (ms since the epoch): the outcome is then `timed-out`. */
  deadline: z.number().int().positive(),
  /** The job's GitHub Deployment, set in_progress by the job; the bridge sets its final status. */
  deployment: z
    .object({ id: z.number().int().positive(), environmentUrl: z.string().url().nullable() })
    .nullable(),
  /** The job's notify-* inputs, sent once the outcome is known. */
  notify: z
    .object({ url: z.string().min(1), on: z.string(), format: z.string() })
    .nullable()
    .default(null),
  /** Send repository_dispatch `streampixel-release` with the outcome, for follow-up workflows. */
  dispatch: z.boolean().default(false),
  /**
   * The job's clock when it sent the request. countFrom and deadline are the job's times: the bridge moves
   * them by the difference to its own clock, so a runner whose clock runs ahead cannot make a prompt event
   * look too early (a lost outcome) nor a behind one let an earlier event count.
   */
  sentAt: z.number().int().positive().optional(),
});

/** The request with countFrom and deadline on the bridge's clock (`receivedAt`: when it arrived). */
export function onBridgeClock(request: HandoffRequest, receivedAt: number): HandoffRequest {
  if (request.sentAt === undefined) return request;
  const offset = receivedAt - request.sentAt;
  return {
    ...request,
    countFrom: request.countFrom === null ? null : request.countFrom + offset,
    deadline: request.deadline + offset,
    sentAt: receivedAt,
  };
}
export type HandoffRequest = z.output<typeof HandoffRequestSchema>;
