import { z } from 'zod';

// Streampixel's webhooks (DESIGN §2): the envelope, identical for every event, its event names in pipeline
// order, and Test Webhook's placeholders. Pure, so the webhook intake and the state machine can read it; the
// API client's schemas (src/streampixel/schemas.ts) re-export it for the rest of the code.

/** Build events in pipeline order; `build.rejected` may follow any stage. */
export const PIPELINE_EVENTS = [
  'build.uploaded',
  'build.downloading',
  'build.extracting',
  'build.saving',
  'build.distributing',
  'build.approved',
] as const;

export const BUILD_EVENT = {
  uploaded: 'build.uploaded',
  downloading: 'build.downloading',
  extracting: 'build.extracting',
  saving: 'build.saving',
  distributing: 'build.distributing',
  approved: 'build.approved',
  rejected: 'build.rejected',
  webhookTest: 'webhook.test',
} as const;

export type BuildEventName = (typeof BUILD_EVENT)[keyof typeof BUILD_EVENT];

/** The `status` Streampixel sends with each event. */
export const EVENT_STATUS: Record<BuildEventName, string> = {
  'build.uploaded': 'pending',
  'build.downloading': 'Downloading Files',
  'build.extracting': 'Extracting & Scanning',
  'build.saving': 'Saving to Repository',
  'build.distributing': 'Distribute',
  'build.approved': 'Approved',
  'build.rejected': 'Reject',
  'webhook.test': 'test',
};

/** Test Webhook's event carries these placeholders, never the project's own ids. */
export const TEST_PROJECT_ID = 'test_project_id';
export const TEST_UPLOAD_ID = 'test_upload_id';

const KNOWN_EVENTS = new Set<string>(Object.values(BUILD_EVENT));
export const isKnownEvent = (name: string): name is BuildEventName => KNOWN_EVENTS.has(name);

/** Position in the pipeline, or -1 for events outside it (rejection, test, unknown). */
export const pipelineIndex = (name: string): number => (PIPELINE_EVENTS as readonly string[]).indexOf(name);

// Strict ISO 8601 with a zone (`2026-11-24T13:05:00.000Z`, `…+01:00`): V8's Date.parse alone would also take
// free text such as "Tue Nov 24 2026", which then reaches logs and the summary.
const isoTimestamp = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 timestamp with a time zone' })
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'must be a real date and time' });

/** Identifiers are indexed by the bridge and matched by the action; Streampixel's are short. */
export const identifier = z.string().min(1).max(200);

/**
 * The webhook envelope, identical for every event. Extra fields are kept: the body is stored as received.
 * Free text (`status`, `objection`, `fileUrl`) has no length cap of its own: the 64 KiB body limit is the
 * only one, so a long objection can never turn a rejection into a refused webhook. It is shortened for
 * display only (webhooks/display-text.ts).
 */
export const WebhookEnvelopeSchema = z.looseObject({
  event: identifier,
  projectId: identifier,
  uploadId: identifier.nullable(),
  fileUrl: z.string().nullable().optional(),
  status: z.string(),
  objection: z.string().nullable().optional(),
  timestamp: isoTimestamp,
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelopeSchema>;
