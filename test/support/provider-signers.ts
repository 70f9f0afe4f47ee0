import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

// Sign bodies the way each provider does, independently of the verifiers under test (no shared helper).

export const signBuildPixel = (body: string, secret: string) => ({
  'x-buildpixel-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
});

export const signFastPix = (body: string, secretBase64: string) => ({
  'fastpix-signature': createHmac('sha256', Buffer.from(secretBase64, 'base64'))
    .update(body)
    .digest('base64'),
});

export function pixopKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spkiBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return { privateKey, publicKey, spkiBase64 };
}

export const signPixop = (body: string, privateKey: KeyObject, keyId: string, timestampSeconds: number) => ({
  'x-pixop-signature': sign('sha256', Buffer.from(`${timestampSeconds}.${body}`), {
    key: privateKey,
    dsaEncoding: 'der',
  }).toString('base64'),
  'x-pixop-public-key-id': keyId,
  'x-pixop-timestamp': String(timestampSeconds),
  'x-pixop-algorithm': 'SHA256withECDSA',
});

export const signStandard = (body: string, secret: string, id: string, timestampSeconds: number) => {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${mac}`,
  };
};
