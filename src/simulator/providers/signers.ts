import { createHmac, sign, type KeyObject } from 'node:crypto';

// How each provider signs a webhook (shared/reference/providers.md), written apart from the verifiers in
// src/webhooks so that each checks the other. Returns the headers to send with the body.

export type SigningCredentials =
  | { provider: 'buildpixel'; secret: string }
  | { provider: 'fastpix'; secret: string }
  | { provider: 'pixop'; privateKey: KeyObject; keyId: string }
  | { provider: 'standard-webhooks'; secret: string };

/**
 * `messageId` is the delivery's id (Standard Webhooks: the same on every retry); `nowSeconds` the attempt's
 * time (Pixop and Standard Webhooks sign it, so each retry is signed anew).
 */
export function signWebhook(
  credentials: SigningCredentials,
  body: string,
  messageId: string,
  nowSeconds: number,
): Record<string, string> {
  switch (credentials.provider) {
    case 'buildpixel':
      return { 'x-buildpixel-signature': `sha256=${hmac(credentials.secret, body).toString('hex')}` };
    case 'fastpix':
      return {
        'fastpix-signature': hmac(Buffer.from(credentials.secret, 'base64'), body).toString('base64'),
      };
    case 'pixop':
      return {
        'x-pixop-signature': sign('sha256', Buffer.from(`${nowSeconds}.${body}`), {
          key: credentials.privateKey,
          dsaEncoding: 'der',
        }).toString('base64'),
        'x-pixop-public-key-id': credentials.keyId,
        'x-pixop-timestamp': String(nowSeconds),
        'x-pixop-algorithm': 'SHA256withECDSA',
      };
    case 'standard-webhooks': {
      const key = Buffer.from(credentials.secret.replace(/^whsec_/, ''), 'base64');
      const mac = hmac(key, `${messageId}.${nowSeconds}.${body}`).toString('base64');
      return {
        'webhook-id': messageId,
        'webhook-timestamp': String(nowSeconds),
        'webhook-signature': `v1,${mac}`,
      };
    }
  }
}

const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
