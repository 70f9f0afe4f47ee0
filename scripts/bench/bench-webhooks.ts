// The webhooks the intake benchmark sends, built and signed before the clock starts so the load generator
// does the same cheap work for every target (the no-op server included): Streampixel (unsigned, the token
// in the URL), BuildPixel (HMAC-SHA256 of the body) and Pixop (ECDSA P-256 over timestamp.body, the most
// expensive check). Every body is distinct, so every request is a new row, never a duplicate.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { buildpixelEvent, pixopEvent } from '../../src/simulator/providers/envelopes.ts';
import { signWebhook, type SigningCredentials } from '../../src/simulator/providers/signers.ts';

export interface BenchRequest {
  body: string;
  headers: Record<string, string>;
}

export type BenchProvider = 'streampixel' | 'buildpixel' | 'pixop';

const JSON_TYPE = { 'content-type': 'application/json' };
const buildpixelSecret = `bench-buildpixel-${randomUUID()}`;
const pixopKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pixopKeyId = randomUUID();
const credentials = {
  buildpixel: { provider: 'buildpixel', secret: buildpixelSecret },
  pixop: { provider: 'pixop', privateKey: pixopKeys.privateKey, keyId: pixopKeyId },
} satisfies Record<string, SigningCredentials>;

/** What the bridge needs to verify the signed providers of this run. */
export const BENCH_PROVIDER_ENV = {
  BRIDGE_BUILDPIXEL_SECRETS: buildpixelSecret,
  BRIDGE_PIXOP_PUBLIC_KEYS: `${pixopKeyId}=${pixopKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`,
};

export const PROVIDER_LABEL: Record<BenchProvider, string> = {
  streampixel: 'Streampixel (unsigned)',
  buildpixel: 'BuildPixel (HMAC)',
  pixop: 'Pixop (ECDSA)',
};

let sequence = 0;

function streampixelBody(subject: string): string {
  return JSON.stringify({
    event: 'build.downloading',
    projectId: 'bench-project',
    uploadId: subject,
    fileUrl: 'https://builds.example.com/game.zip',
    status: 'Downloading Files',
    objection: null,
    timestamp: new Date(Date.UTC(2026, 0, 1) + sequence).toISOString(),
  });
}

/** One distinct webhook of `provider`, with the headers it is sent with. */
export function benchRequest(provider: BenchProvider, subject: string): BenchRequest {
  sequence += 1;
  if (provider === 'streampixel') return { body: streampixelBody(subject), headers: JSON_TYPE };
  // BuildPixel's dedupe key is (build id, type): a distinct build id per request keeps every one a new row.
  const body = JSON.stringify(
    provider === 'buildpixel'
      ? buildpixelEvent('build.running', `${subject}-${sequence}`)
      : pixopEvent('video_processing.started', subject),
  );
  const signature = signWebhook(credentials[provider], body, randomUUID(), Math.floor(Date.now() / 1000));
  return { body, headers: { ...JSON_TYPE, ...signature } };
}

export function benchRequests(provider: BenchProvider, count: number, subject: string): BenchRequest[] {
  return Array.from({ length: count }, () => benchRequest(provider, subject));
}
