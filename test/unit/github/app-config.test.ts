import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { parseGitHubAppConfig, readAppPrivateKey } from '../../../src/github/app-config.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PKCS1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const PKCS8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const PUBLIC = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
/** The longest base64 line of a PEM: what must never be repeated. */
const bodyOf = (pem: string) => pem.split('\n').filter((line) => !line.startsWith('-----'))[1] ?? '';

describe('readAppPrivateKey', () => {
  test.each([
    ['PKCS#1, as GitHub hands it out', PKCS1],
    ['PKCS#8', PKCS8],
    ['with \\n written for its newlines', PKCS1.replace(/\n/g, '\\n')],
    ['with \\r\\n written for its newlines', PKCS1.replace(/\n/g, '\\r\\n')],
    ['with CRLF newlines and spaces around', `  ${PKCS1.replace(/\n/g, '\r\n')}  `],
  ])('%s: an RSA key', (_, text) => {
    const read = readAppPrivateKey(text);
    expect(read.ok && read.key.asymmetricKeyType).toBe('rsa');
  });

  test.each([
    ['not PEM', 'just-some-secret-text', /is not a PEM private key/],
    ['a public key', PUBLIC, /is not a PEM private key/],
    ['only its first line', '-----BEGIN RSA PRIVATE KEY-----', /is a single line/],
    ['truncated', PKCS1.slice(0, 300), /could not be read/],
    ['an EC key', EC, /is not an RSA key/],
  ])('%s: refused, without repeating it', (_, text, problem) => {
    const read = readAppPrivateKey(text);
    expect(read.ok).toBe(false);
    const message = read.ok ? '' : read.problem;
    expect(message).toMatch(problem);
    for (const pem of [PKCS1, PUBLIC, EC]) expect(message).not.toContain(bodyOf(pem).slice(0, 16));
  });
});

describe('parseGitHubAppConfig', () => {
  test('off when neither the App ID nor the key is set', () => {
    expect(parseGitHubAppConfig({})).toEqual({ ok: true, value: null });
    expect(parseGitHubAppConfig({ BRIDGE_GITHUB_API_URL: 'https://ghes.example.com/api/v3' })).toEqual({
      ok: true,
      value: null,
    });
  });

  test('the App, its key (which prints without its material) and GitHub.com’s API by default', () => {
    const parsed = parseGitHubAppConfig({
      BRIDGE_GITHUB_APP_ID: ' 123456 ',
      BRIDGE_GITHUB_PRIVATE_KEY: PKCS1,
    });
    expect(parsed).toMatchObject({ ok: true, value: { appId: '123456', apiUrl: 'https://api.github.com' } });
    const key = parsed.ok ? parsed.value?.privateKey : undefined;
    expect(key?.asymmetricKeyType).toBe('rsa');
    expect(inspect(parsed)).not.toContain(bodyOf(PKCS1).slice(0, 16));
  });

  test.each([
    ['a Client ID', { BRIDGE_GITHUB_APP_ID: 'Iv23liAbCdEf1234' }, { appId: 'Iv23liAbCdEf1234' }],
    [
      'GHES',
      { BRIDGE_GITHUB_API_URL: 'https://ghes.example.com/api/v3/' },
      { apiUrl: 'https://ghes.example.com/api/v3' },
    ],
  ])('%s', (_, env, value) => {
    const parsed = parseGitHubAppConfig({
      BRIDGE_GITHUB_APP_ID: '42',
      BRIDGE_GITHUB_PRIVATE_KEY: PKCS1.replace(/\n/g, '\\n'),
      ...env,
    });
    expect(parsed).toMatchObject({ ok: true, value });
  });

  test.each([
    [{ BRIDGE_GITHUB_APP_ID: '42' }, ['BRIDGE_GITHUB_PRIVATE_KEY is required']],
    [{ BRIDGE_GITHUB_PRIVATE_KEY: PKCS1 }, ['BRIDGE_GITHUB_APP_ID is required']],
    [
      { BRIDGE_GITHUB_APP_ID: 'my-app-secret', BRIDGE_GITHUB_PRIVATE_KEY: PKCS1 },
      ['BRIDGE_GITHUB_APP_ID must be'],
    ],
    [
      { BRIDGE_GITHUB_APP_ID: '42', BRIDGE_GITHUB_PRIVATE_KEY: EC },
      ['BRIDGE_GITHUB_PRIVATE_KEY is not an RSA key'],
    ],
    [
      {
        BRIDGE_GITHUB_APP_ID: 'x',
        BRIDGE_GITHUB_PRIVATE_KEY: 'secret-key-text',
        BRIDGE_GITHUB_API_URL: 'api.github.com',
      },
      [
        'BRIDGE_GITHUB_APP_ID must be',
        'BRIDGE_GITHUB_PRIVATE_KEY is not a PEM',
        'BRIDGE_GITHUB_API_URL must be an http(s)',
      ],
    ],
    [
      {
        BRIDGE_GITHUB_APP_ID: '42',
        BRIDGE_GITHUB_PRIVATE_KEY: PKCS1,
        BRIDGE_GITHUB_API_URL: 'https://u:pw-secret@ghes.example.com',
      },
      ['BRIDGE_GITHUB_API_URL must be a URL without'],
    ],
  ])('%#: every problem, named by variable, no value', (env, starts) => {
    const parsed = parseGitHubAppConfig(env);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems.map((problem, i) => problem.startsWith(starts[i]!))).toEqual(starts.map(() => true));
    const text = problems.join('\n');
    for (const secret of ['my-app-secret', 'secret-key-text', 'pw-secret', bodyOf(PKCS1), bodyOf(EC)])
      expect(text).not.toContain(secret);
  });
});
