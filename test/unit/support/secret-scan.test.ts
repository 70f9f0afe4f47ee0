import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeHits, findSecrets } from '../../support/secret-scan.ts';
import { API_KEYS, BRIDGE_TOKENS, PRESIGNED_FILE_URLS, RECEIVER_PATHS } from '../../support/secrets.ts';

// The log scan must be able to fail: on a line, and on a whole test file run through the suite's config.

describe('findSecrets', () => {
  const hitsIn: Array<[string, string, string[]]> = [
    ['an API key', `POST with key ${API_KEYS.bundle}`, ['API_KEYS.bundle']],
    ['a read token in a header', `authorization: Bearer ${BRIDGE_TOKENS.read}`, ['BRIDGE_TOKENS.read']],
    [
      'a URL-encoded token',
      `GET /v1/events?token=${encodeURIComponent(BRIDGE_TOKENS.harnessRead)}`,
      ['BRIDGE_TOKENS.harnessRead (URL-encoded)'],
    ],
    [
      'an ingest token in a path',
      `POST /hooks/streampixel/${BRIDGE_TOKENS.ingest}`,
      ['BRIDGE_TOKENS.ingest'],
    ],
    ['a receiver path', `listening on ${RECEIVER_PATHS.matrix}`, ['RECEIVER_PATHS.matrix']],
    [
      'any presigned signature',
      'file-url: https://other.example/a.zip?X-Amz-Signature=0123abcd',
      ['presigned query (X-Amz-Signature)'],
    ],
    [
      'a known presigned URL',
      `file-url: ${PRESIGNED_FILE_URLS.bundle}`,
      ['PRESIGNED_FILE_URLS.bundle', 'presigned query (X-Amz-Signature)'],
    ],
  ];
  it.each(hitsIn)('finds %s', (_name, line, secrets) => {
    expect(
      findSecrets('test', `first line\n${line}\nlast line`).map((hit) => [hit.line, hit.secret]),
    ).toEqual(secrets.map((secret) => [2, secret]));
  });

  const clean: Array<[string, string]> = [
    ['a masked file URL', 'file-url: https://bucket.example/game.zip?…'],
    ['the add-mask command that hands a secret to the runner', `::add-mask::${API_KEYS.wrong}`],
    ['a redacted webhook URL', 'delivery build.saving abc → http://127.0.0.1:5000/*** 200 in 3 ms'],
    ['the word secret', 'secrets never reach a log'],
  ];
  it.each(clean)('passes %s', (_name, line) => {
    expect(findSecrets('test', line)).toEqual([]);
  });

  it('reports where and which, never the secret itself', () => {
    const hits = findSecrets(
      'bridge #1',
      `x\nreading with ${BRIDGE_TOKENS.read} from ${PRESIGNED_FILE_URLS.matrix}`,
    );
    const report = describeHits(hits);
    expect(report).toContain('bridge #1:2 BRIDGE_TOKENS.read: reading with «BRIDGE_TOKENS.read» from');
    expect(report).not.toContain(BRIDGE_TOKENS.read);
    expect(report).not.toContain('presigned-matrix-3b7e');
  });
});

describe('the setup file in vitest.config.ts', () => {
  it('fails a test file whose tests pass but whose logs hold secrets', async () => {
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/support/fixtures/leak.vitest.config.ts'],
      {
        cwd: new URL('../../..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: process.env,
      },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(exitCode, output).toBe(1);
    expect(output).toContain('3 passed');
    expect(output).toContain('Secret scan: 3 log line(s) hold a test secret');
    expect(output).toMatch(/worker console:1 API_KEYS\.matrix: calling Streampixel with «API_KEYS\.matrix»/);
    expect(output).toMatch(/worker stderr:\d+ presigned query \(X-Amz-Signature\)/);
    expect(output).toMatch(/bridge #1:2 BRIDGE_TOKENS\.read: Authorization: Bearer «BRIDGE_TOKENS\.read»/);
  }, 60_000);
});
