import {
  BUILD_EVENT,
  EVENT_STATUS,
  TEST_PROJECT_ID,
  TEST_UPLOAD_ID,
  type BuildEventName,
  type WebhookEnvelope,
} from '../streampixel/schemas.ts';

// Every envelope built here carries all of Streampixel's fields, null where it sends null (DESIGN §2).

export function buildEnvelope(args: {
  event: BuildEventName;
  projectId: string;
  uploadId: string;
  fileUrl: string;
  timestamp: string;
  objection?: string;
}): WebhookEnvelope {
  return {
    event: args.event,
    projectId: args.projectId,
    uploadId: args.uploadId,
    fileUrl: args.fileUrl,
    status: EVENT_STATUS[args.event],
    objection: args.objection ?? null,
    timestamp: args.timestamp,
  };
}

/** Test Webhook sends placeholder ids, never the project's own. */
export function testWebhookEnvelope(timestamp: string): WebhookEnvelope {
  return {
    event: BUILD_EVENT.webhookTest,
    projectId: TEST_PROJECT_ID,
    uploadId: TEST_UPLOAD_ID,
    fileUrl: null,
    status: EVENT_STATUS[BUILD_EVENT.webhookTest],
    objection: null,
    timestamp,
  };
}

export const NOISE_EVENT = 'build.reticulating';
export const NOISE_PROJECT_SUFFIX = '-other-project';

/**
 * Decoys sent ahead of a real event, each of which a correct consumer must ignore: an event name it has
 * never heard of, a Test Webhook, the same stage of another build in the project (an approval there turns
 * into a rejection, so mixing builds up fails loudly), and the same ids under another project.
 */
export function noiseEnvelopes(real: WebhookEnvelope, otherUploadId: string): WebhookEnvelope[] {
  const otherBuildEvent = real.event === BUILD_EVENT.approved ? BUILD_EVENT.rejected : real.event;
  return [
    { ...real, event: NOISE_EVENT, status: 'Reticulating Splines' },
    testWebhookEnvelope(real.timestamp),
    {
      ...real,
      uploadId: otherUploadId,
      event: otherBuildEvent,
      status: EVENT_STATUS[otherBuildEvent as BuildEventName] ?? real.status,
      objection:
        otherBuildEvent === BUILD_EVENT.rejected ? 'noise: another build of this project' : real.objection,
    },
    { ...real, projectId: `${real.projectId}${NOISE_PROJECT_SUFFIX}` },
  ];
}
