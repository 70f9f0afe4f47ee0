import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Parsed } from '../webhooks/provider-secrets.ts';
import { DEFAULT_GITHUB_API_URL } from './rest-client.ts';

// The GitHub App the bridge acts as when it finishes a handoff (DESIGN §10): its id, its private key and the
// API it talks to (GitHub Enterprise Server, a loopback fake). The key is held as a KeyObject from here on,
// which prints as `PrivateKeyObject {}` and so cannot reach a log by accident. Problems name the variable,
// never a value.

export const GITHUB_APP_ENV = {
  appId: 'BRIDGE_GITHUB_APP_ID',
  privateKey: 'BRIDGE_GITHUB_PRIVATE_KEY',
  apiUrl: 'BRIDGE_GITHUB_API_URL',
} as const;

export interface GitHubAppConfig {
  /** The App ID (digits) or its Client ID (`Iv…`): GitHub accepts either as the JWT's issuer. */
  appId: string;
  privateKey: KeyObject;
  /** https://api.github.com, or GHES's https://<host>/api/v3; no trailing slash. */
  apiUrl: string;
}

const APP_ID = /^(?:\d{1,12}|Iv[A-Za-z0-9.]{4,40})$/;

/**
 * PEM text → an RSA private key, or the problem (a sentence without the key). Newlines written as `\n`, as
 * an environment variable often carries them, are restored first.
 */
export function readAppPrivateKey(
  text: string,
): { ok: true; key: KeyObject } | { ok: false; problem: string } {
  const pem = text.trim().replace(/\\r\\n|\\n/g, '\n');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    return { ok: false, problem: 'is not a PEM private key (-----BEGIN RSA PRIVATE KEY----- …)' };
  if (!pem.includes('\n'))
    return {
      ok: false,
      problem: 'is a single line: keep its newlines, or write them as \\n',
    };
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // node's message names the decoder, not the key; still, nothing of it is repeated.
    return { ok: false, problem: 'could not be read as a PEM private key (truncated or encrypted?)' };
  }
  if (key.asymmetricKeyType !== 'rsa')
    return { ok: false, problem: 'is not an RSA key (a GitHub App’s private key is RSA)' };
  return { ok: true, key };
}

/**
 * Environment → the App's settings, `null` when neither the App ID nor the key is set (no handoff acting on
 * GitHub), or every problem at once.
 */
export function parseGitHubAppConfig(env: NodeJS.ProcessEnv): Parsed<GitHubAppConfig | null> {
  const given = (name: string) => env[name]?.trim() || undefined;
  const appId = given(GITHUB_APP_ENV.appId);
  const keyText = given(GITHUB_APP_ENV.privateKey);
  const apiUrlText = given(GITHUB_APP_ENV.apiUrl);
  if (appId === undefined && keyText === undefined) return { ok: true, value: null };

  const problems: string[] = [];
  if (appId === undefined)
    problems.push(`${GITHUB_APP_ENV.appId} is required with ${GITHUB_APP_ENV.privateKey}`);
  else if (!APP_ID.test(appId))
    problems.push(`${GITHUB_APP_ENV.appId} must be the App ID (digits) or its Client ID (Iv…)`);

  let privateKey: KeyObject | undefined;
  if (keyText === undefined)
    problems.push(`${GITHUB_APP_ENV.privateKey} is required with ${GITHUB_APP_ENV.appId}`);
  else {
    const read = readAppPrivateKey(keyText);
    if (read.ok) privateKey = read.key;
    else problems.push(`${GITHUB_APP_ENV.privateKey} ${read.problem}`);
  }

  const apiUrl = (apiUrlText ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, '');
  const url = URL.canParse(apiUrl) ? new URL(apiUrl) : null;
  if (!url || !/^https?:$/.test(url.protocol))
    problems.push(`${GITHUB_APP_ENV.apiUrl} must be an http(s) URL (GHES: https://<host>/api/v3)`);
  else if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    problems.push(`${GITHUB_APP_ENV.apiUrl} must be a URL without credentials, query or fragment`);

  if (problems.length > 0 || appId === undefined || privateKey === undefined) return { ok: false, problems };
  return { ok: true, value: { appId, privateKey, apiUrl } };
}
