// The bodies each provider sends, and the events of one unit of work in the order the provider sends them.
// The simulator's senders play them; the tests use them as fixtures. Where each shape comes from
// (shared/reference/providers.md):
// - BuildPixel: the envelope on docs.buildpixel.io/api-reference/webhooks/overview (its values are "..."
//   placeholders there; ids here are 24 characters, as the docs describe), statuses from builds/build-statuses.
// - FastPix: the SDK's event type (FastPix/node-sdk src/sdk/webhooks.ts @ e32654cf): id, type, object, workspace,
//   status, data, createdAt (nanosecond precision, as a vendor plugin saw on live deliveries).
// - Pixop: assembled from the Java SDK's WebhookEventPayload (pixop-api-java-sdk @ 80a144fe); no example JSON
//   is published.
// - Standard Webhooks: the spec's recommended payload {type, timestamp, data}.

import { randomUUID } from 'node:crypto';
import type { ProviderId } from '../../webhooks/event.ts';

export type SignedProviderId = Exclude<ProviderId, 'streampixel'>;
export type UnitOutcome = 'success' | 'failure' | 'cancelled';

export const buildpixelEvent = (type: string, buildId: string, extra: Record<string, unknown> = {}) => ({
  type,
  createdAt: new Date().toISOString(),
  organizationId: '65f2a1b3c4d5e6f708190000',
  data: {
    build: {
      id: buildId,
      status: type.slice('build.'.length),
      platform: 'Win64',
      buildType: 'Development',
      branch: 'main',
      commit: '9f8e7d6',
      durationMs: 763_000,
      ...(type === 'build.complete'
        ? { artifactUrl: `https://artifacts.buildpixel.example/${buildId}/MyGame-Win64.zip` }
        : {}),
      ...extra,
    },
    project: { id: '65f2a1b3c4d5e6f70819aaaa', name: 'MyGame' },
  },
});

export const fastpixEvent = (type: string, mediaId: string, id: string = randomUUID()) => ({
  type,
  id,
  object: { type: 'video.media', id: mediaId },
  workspace: { id: 'ws-1', name: 'Trailers' },
  status: type === 'video.media.ready' ? 'ready' : 'preparing',
  data: {
    id: mediaId,
    status: type === 'video.media.ready' ? 'ready' : 'preparing',
    playbackIds:
      type === 'video.media.ready' ? [{ id: `pb-${mediaId.slice(0, 8)}`, accessPolicy: 'public' }] : [],
  },
  createdAt: new Date().toISOString(),
  attempts: [],
});

export const pixopEvent = (eventType: string, videoId: string, test = false, id: string = randomUUID()) => ({
  id,
  webhookId: '5d9c3e11-0000-4000-8000-000000000001',
  eventType,
  occurredAt: new Date().toISOString(),
  test,
  attemptCount: 1,
  data: { type: 'VIDEO', videoId },
});

export const standardEvent = (type: string, subject: string) => ({
  type,
  timestamp: new Date().toISOString(),
  data: { id: subject, name: 'nightly' },
});

/** Event types of one unit of work: the progress events, then the one that ends it. */
const UNIT_TYPES: Record<SignedProviderId, { progress: string[]; end: Record<UnitOutcome, string> }> = {
  buildpixel: {
    progress: ['build.created', 'build.running'],
    end: { success: 'build.complete', failure: 'build.failed', cancelled: 'build.superseded' },
  },
  fastpix: {
    progress: ['video.media.created'],
    end: { success: 'video.media.ready', failure: 'video.media.failed', cancelled: 'video.media.deleted' },
  },
  pixop: {
    progress: ['video_processing.started'],
    end: { success: 'video_processing.done', failure: 'video_processing.failed', cancelled: 'video.deleted' },
  },
  'standard-webhooks': {
    progress: ['job.started'],
    end: { success: 'job.succeeded', failure: 'job.failed', cancelled: 'job.cancelled' },
  },
};

/** The event types of one unit of work of `provider`, in the order the provider sends them. */
export function unitOfWork(provider: SignedProviderId, outcome: UnitOutcome): string[] {
  const { progress, end } = UNIT_TYPES[provider];
  return [...progress, end[outcome]];
}

export function envelopeOf(provider: SignedProviderId, type: string, subject: string): object {
  switch (provider) {
    case 'buildpixel':
      return buildpixelEvent(
        type,
        subject,
        type === 'build.failed' ? { error: 'Cook failed: missing asset' } : {},
      );
    case 'fastpix':
      return fastpixEvent(type, subject);
    case 'pixop':
      return pixopEvent(type, subject);
    case 'standard-webhooks':
      return standardEvent(type, subject);
  }
}
