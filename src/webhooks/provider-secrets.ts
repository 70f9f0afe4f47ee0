import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBase64 } from './signature.ts';
import { standardSecretKey } from './providers/standard-webhooks.ts';

// Secrets as operators write them (a comma-separated list, for rotation), parsed once: the bridge reads them
// from BRIDGE_*_SECRETS / BRIDGE_PIXOP_PUBLIC_KEYS, the action's receiver from `webhook-secret`. Problems name
// the entry by position, never by value.

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

const entries = (text: string): string[] =>
  text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

function collect<T>(list: string[], what: string, read: (entry: string) => T | undefined): Parsed<T[]> {
  if (list.length === 0) return { ok: false, problems: [`lists no ${what}`] };
  const values: T[] = [];
  const problems: string[] = [];
  list.forEach((entry, index) => {
    const value = read(entry);
    if (value === undefined) problems.push(`entry ${index + 1} is not ${what}`);
    else values.push(value);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: values };
}

/** BuildPixel: secrets used as given. */
export const parsePlainSecrets = (text: string): Parsed<string[]> =>
  collect(entries(text), 'a secret', (entry) => entry);

/** FastPix: the dashboard's base64 signing secrets. */
export const parseBase64Secrets = (text: string): Parsed<string[]> =>
  collect(entries(text), 'a base64 signing secret', (entry) => (decodeBase64(entry) ? entry : undefined));

/** Standard Webhooks: `whsec_<base64>` (the prefix optional), 24 to 64 bytes as the spec asks. */
export const parseStandardSecrets = (text: string): Parsed<string[]> =>
  collect(entries(text), 'a whsec_ secret of 24 to 64 bytes', (entry) => {
    const key = standardSecretKey(entry);
    return key && key.length >= 24 && key.length <= 64 ? entry : undefined;
  });

/** Pixop: `<key-id>=<base64 DER SubjectPublicKeyInfo>` pairs → public keys by id. */
export function parsePixopPublicKeys(text: string): Parsed<Map<string, KeyObject>> {
  const parsed = collect(entries(text), 'a <key-id>=<base64 DER public key> pair', (entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) return undefined;
    const der = decodeBase64(entry.slice(at + 1));
    if (der === undefined) return undefined;
    try {
      const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
      return key.asymmetricKeyType === 'ec' ? ([entry.slice(0, at), key] as const) : undefined;
    } catch {
      return undefined;
    }
  });
  return parsed.ok ? { ok: true, value: new Map(parsed.value) } : parsed;
}
