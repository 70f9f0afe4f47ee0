import { z } from 'zod';

// Everything here mirrors Streampixel's public docs (DESIGN §2). Responses are parsed leniently:
// the docs disagree between versions, so unknown fields pass through and optional ones may be absent.

export const STREAMPIXEL_API_BASE = 'https://api.streampixel.io/pixelStripeApi';
export const SHARE_URL_BASE = 'https://share.streampixel.io';

export const shareUrl = (projectId: string): string => `${SHARE_URL_BASE}/${encodeURIComponent(projectId)}`;

// The webhook side lives with the other providers' (pure); re-exported for the API side and the simulator.
export {
  BUILD_EVENT,
  EVENT_STATUS,
  isKnownEvent,
  PIPELINE_EVENTS,
  pipelineIndex,
  TEST_PROJECT_ID,
  TEST_UPLOAD_ID,
  WebhookEnvelopeSchema,
  type BuildEventName,
  type WebhookEnvelope,
} from '../webhooks/providers/streampixel-envelope.ts';
import { identifier } from '../webhooks/providers/streampixel-envelope.ts';

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
