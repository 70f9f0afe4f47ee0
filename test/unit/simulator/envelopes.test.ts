import { describe, expect, it } from 'vitest';
import { WebhookEnvelopeSchema } from '../../../src/streampixel/schemas.ts';
import {
  buildEnvelope,
  NOISE_EVENT,
  NOISE_PROJECT_SUFFIX,
  noiseEnvelopes,
  testWebhookEnvelope,
} from '../../../src/simulator/envelopes.ts';

const timestamp = '2025-06-01T12:00:00.000Z';
const base = { projectId: 'p1', uploadId: 'u1', fileUrl: 'https://example.com/b.zip', timestamp };

describe('envelopes', () => {
  it('builds every field of Streampixel envelope, objection null unless rejected', () => {
    expect(buildEnvelope({ ...base, event: 'build.extracting' })).toEqual({
      event: 'build.extracting',
      ...base,
      status: 'Extracting & Scanning',
      objection: null,
    });
    const rejected = buildEnvelope({ ...base, event: 'build.rejected', objection: 'virus' });
    expect(rejected).toMatchObject({ status: 'Reject', objection: 'virus' });
    expect(WebhookEnvelopeSchema.safeParse(rejected).success).toBe(true);
  });

  it('gives Test Webhook placeholder ids', () => {
    expect(testWebhookEnvelope(timestamp)).toEqual({
      event: 'webhook.test',
      projectId: 'test_project_id',
      uploadId: 'test_upload_id',
      fileUrl: null,
      status: 'test',
      objection: null,
      timestamp,
    });
  });

  it('makes decoys a correct consumer ignores, turning another build approval into a rejection', () => {
    const real = buildEnvelope({ ...base, event: 'build.approved' });
    const noise = noiseEnvelopes(real, 'u2');
    expect(noise.map((e) => [e.event, e.projectId, e.uploadId])).toEqual([
      [NOISE_EVENT, 'p1', 'u1'],
      ['webhook.test', 'test_project_id', 'test_upload_id'],
      ['build.rejected', 'p1', 'u2'],
      ['build.approved', `p1${NOISE_PROJECT_SUFFIX}`, 'u1'],
    ]);
    expect(noise[2]).toMatchObject({ status: 'Reject', objection: expect.any(String) });
    for (const envelope of noise) expect(WebhookEnvelopeSchema.safeParse(envelope).success).toBe(true);
  });
});
