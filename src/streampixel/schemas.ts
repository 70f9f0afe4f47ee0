import { z } from 'zod';

// Everything here mirrors Streampixel's public docs (DESIGN §2). Responses are parsed leniently:
// the docs disagree between versions, so unknown fields pass through and optional ones may be absent.

export const STREAMPIXEL_API_BASE = 'https://api.streampixel.io/pixelStripeApi';
export const SHARE_URL_BASE = 'https://share.streampixel.io';

export const shareUrl = (projectId: string): string => `${SHARE_URL_BASE}/${encodeURIComponent(projectId)}`;

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
const identifier = z.string().min(1).max(200);

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

// An upload id is shown in logs and matched against webhooks: one line of visible characters, or the answer
// is not the documented one.
const uploadIdText = identifier
  .regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/, {
    message: 'must be one line of visible characters',
  })
  .refine((value) => value.isWellFormed(), { message: 'must be well-formed Unicode' });

export const UploadResponseSchema = z.looseObject({
  message: z.string().optional(),
  uploadId: uploadIdText,
});
export type UploadResponse = z.infer<typeof UploadResponseSchema>;

export const DistributeResponseSchema = z.looseObject({
  message: z.string().optional(),
  success: z.boolean().optional(),
  uploadId: z.string().optional(),
  region: z.string().optional(),
});
export type DistributeResponse = z.infer<typeof DistributeResponseSchema>;

export const TestWebhookResponseSchema = z.looseObject({
  success: z.boolean().optional(),
  message: z.string().optional(),
  statusCode: z.coerce.number().int(),
});
export type TestWebhookResponse = z.infer<typeof TestWebhookResponseSchema>;

export const ErrorBodySchema = z.looseObject({ message: z.string() });

/** Request bodies: credentials travel in the JSON body, not in headers. */
export const CredentialsSchema = z.object({
  apiKey: z.string().min(1),
  userId: z.string().min(1),
  projectId: z.string().min(1),
});
export const UploadRequestSchema = CredentialsSchema.extend({
  fileUrl: z.string().min(1),
  autoRelease: z.boolean().optional(),
});
export const DistributeRequestSchema = CredentialsSchema.extend({ uploadId: z.string().min(1) });
export const TestWebhookRequestSchema = CredentialsSchema;
export type UploadRequest = z.infer<typeof UploadRequestSchema>;
export type DistributeRequest = z.infer<typeof DistributeRequestSchema>;
export type TestWebhookRequest = z.infer<typeof TestWebhookRequestSchema>;

export const RATE_LIMIT_MESSAGE = 'Rate limit exceeded. Try again in 2 minutes.';
/** Streampixel allows one upload and one distribute per user every two minutes. */
export const RATE_LIMIT_WINDOW_MS = 120_000;
