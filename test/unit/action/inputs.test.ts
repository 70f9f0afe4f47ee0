import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INPUT, parseInputs, redactUrl } from '../../../src/action/inputs.ts';
import { OUTPUT } from '../../../src/action/outputs.ts';
import { ReleaseError } from '../../../src/streampixel/errors.ts';

const base = {
  'api-key': 'sk-live-123',
  'user-id': 'user-1',
  'project-id': 'proj-1',
  'file-url': 'https://builds.example/game.zip',
  'wait-via': 'receiver',
};

function parse(inputs: Record<string, string>) {
  const secrets: string[] = [];
  const settings = parseInputs({
    getInput: (name) => inputs[name] ?? '',
    setSecret: (v) => void secrets.push(v),
  });
  return { settings, secrets };
}

function problems(inputs: Record<string, string>): string {
  try {
    parse(inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(ReleaseError);
    return (error as ReleaseError).message;
  }
  throw new Error('expected the inputs to be refused');
}

describe('parseInputs', () => {
  it('applies the documented defaults', () => {
    const { settings } = parse({
      ...base,
      'wait-via': '',
      'bridge-url': 'https://bridge.example',
      'bridge-token': 't',
    });
    expect(settings).toMatchObject({
      command: 'release',
      autoRelease: false,
      waitVia: 'bridge',
      receiverPort: 8080,
      receiverPath: '/',
      timeoutMs: 45 * 60_000,
      failOnRejected: true,
      failOnTimeout: true,
      apiBaseUrl: 'https://api.streampixel.io/pixelStripeApi',
      uploadId: null,
    });
  });

  it('accepts fractional minutes and YAML booleans', () => {
    const { settings } = parse({
      ...base,
      'timeout-minutes': '0.5',
      'auto-release': 'True',
      'fail-on-timeout': 'FALSE',
    });
    expect(settings.timeoutMs).toBe(30_000);
    expect(settings.autoRelease).toBe(true);
    expect(settings.failOnTimeout).toBe(false);
  });

  it('lists every problem in one message', () => {
    const message = problems({ 'api-key': 'k', 'user-id': 'u', command: 'deploy', 'file-url': 'not a url' });
    expect(message).toContain('have 3 problems');
    expect(message).toContain('- command: must be one of release, upload, distribute, wait, test-webhook');
    expect(message).toContain('- project-id: is required');
    expect(message).toContain('- file-url: must be an http(s) URL');
  });

  it('asks for what each command needs', () => {
    expect(problems({ ...base, 'file-url': '' })).toContain('- file-url: is required for command release');
    expect(problems({ ...base, command: 'distribute' })).toContain(
      '- upload-id: is required for command distribute',
    );
    expect(problems({ ...base, 'wait-via': 'bridge' })).toMatch(
      /bridge-url: is required[\s\S]*bridge-token: is required/,
    );
    expect(problems({ ...base, command: 'wait', 'upload-id': 'u1', 'wait-via': 'none' })).toContain(
      '- wait-via: cannot be none',
    );
    expect(problems({ ...base, 'timeout-minutes': '0' })).toContain('- timeout-minutes: must be above 0');
    expect(problems({ ...base, 'receiver-path': 'hook' })).toContain('- receiver-path: must start with /');
  });

  it('masks the api key, the bridge token and a presigned query string, even when other inputs are bad', () => {
    const url = 'https://bucket.example/game.zip?X-Amz-Signature=abc123';
    const secrets: string[] = [];
    expect(() =>
      parseInputs({
        getInput: (name) =>
          ({ ...base, 'file-url': url, 'bridge-token': 'tok', command: 'nope' })[name] ?? '',
        setSecret: (value) => void secrets.push(value),
      }),
    ).toThrow(ReleaseError);
    expect(secrets).toEqual(expect.arrayContaining(['sk-live-123', 'tok', url, 'X-Amz-Signature=abc123']));
  });

  it('never puts a secret in a validation message', () => {
    const message = problems({ ...base, 'api-key': 'sk-live-123', 'receiver-port': 'sk-live-123' });
    expect(message).not.toContain('sk-live-123');
  });
});

describe('redactUrl', () => {
  it('drops the query string', () => {
    expect(redactUrl('https://bucket.example/a/game.zip?X-Amz-Signature=abc')).toBe(
      'https://bucket.example/a/game.zip?…',
    );
    expect(redactUrl('https://bucket.example/game.zip')).toBe('https://bucket.example/game.zip');
  });
});

describe('action.yml', () => {
  const yml = readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8');
  const section = (name: string) => {
    const body = yml.split(new RegExp(`^${name}:\\n`, 'm'))[1]!.split(/^\S/m)[0]!;
    return [...body.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]);
  };

  it('declares exactly the inputs the action reads, each described', () => {
    expect(section('inputs').sort()).toEqual(Object.values(INPUT).sort());
  });
  it('declares exactly the outputs the action sets', () => {
    expect(section('outputs').sort()).toEqual(Object.values(OUTPUT).sort());
  });
  it('runs the committed bundle on node24', () => {
    expect(yml).toMatch(/runs:\n {2}using: node24\n {2}main: dist\/action\/index.js/);
  });
});
