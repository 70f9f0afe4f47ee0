import { z } from 'zod';
import { BUILD_EVENT, PIPELINE_EVENTS, type BuildEventName } from '../streampixel/schemas.ts';

const buildEventName = z.enum(Object.values(BUILD_EVENT) as [BuildEventName, ...BuildEventName[]]);

/**
 * What should go wrong on a run. Validated by the CLI (JSON from a flag or the environment); tests pass it
 * typed. Rejection can only replace a pipeline stage: `build.rejected` and `webhook.test` are not stages.
 */
export const ScenarioSchema = z.strictObject({
  rejectAt: z.strictObject({ event: z.enum(PIPELINE_EVENTS), objection: z.string().min(1) }).optional(),
  duplicate: z.union([z.array(buildEventName), z.literal('all')]).optional(),
  drop: z.array(buildEventName).optional(),
  reorder: z.boolean().optional(),
  uploadedBeforeResponse: z.boolean().optional(),
  apiFailures: z
    .array(
      z.strictObject({
        endpoint: z.enum(['upload-file', 'distribute-file', 'test-webhook']),
        status: z.union([z.literal(500), z.literal(429), z.literal(503)]),
        times: z.number().int().positive().optional(),
        retryAfterSeconds: z.number().int().nonnegative().optional(),
      }),
    )
    .optional(),
  extraEvents: z.literal('noise').optional(),
});
export type Scenario = z.infer<typeof ScenarioSchema>;
export type ApiFailure = NonNullable<Scenario['apiFailures']>[number];

/** How many times an event that fired is POSTed: 0 when dropped or unticked, 2 when duplicated. */
export function copiesToSend(
  event: BuildEventName,
  scenario: Scenario,
  eventFilter?: readonly string[],
): number {
  if (eventFilter && !eventFilter.includes(event)) return 0;
  if (scenario.drop?.includes(event)) return 0;
  if (scenario.duplicate === 'all' || scenario.duplicate?.includes(event)) return 2;
  return 1;
}
