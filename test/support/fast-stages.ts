import { PIPELINE_EVENTS } from '../../src/streampixel/schemas.ts';

/** The simulator's stage delays for tests that run in real time: each pipeline stage a few milliseconds. */
export const FAST_STAGES: Record<(typeof PIPELINE_EVENTS)[number], number> = Object.fromEntries(
  PIPELINE_EVENTS.map((stage) => [stage, 5]),
) as Record<(typeof PIPELINE_EVENTS)[number], number>;
