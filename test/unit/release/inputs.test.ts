import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INPUT, parseInputs, planOf, redactUrl } from '../../../src/release/inputs.ts';
import { OUTPUT } from '../../../src/release/outputs.ts';
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
    // The bad command no longer hides what wait-via: bridge (the default) needs.
    expect(message).toContain('have 5 problems');
    expect(message).toContain('- bridge-url: is required with wait-via: bridge');
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

describe('issue 6: inputs that do not fit, and every problem listed', () => {
  it.each(['release', 'upload', 'test-webhook'])('refuses an upload-id given to %s', (command) => {
    const message = problems({ ...base, command, 'upload-id': 'old-build' });
    expect(message).toContain(`- upload-id: does not apply to command ${command}: remove it`);
  });

  it.each(['distribute', 'wait', 'test-webhook'])('refuses a file-url given to %s', (command) => {
    const message = problems({ ...base, command, 'upload-id': command === 'test-webhook' ? '' : 'b1' });
    expect(message).toContain(`- file-url: does not apply to command ${command}`);
  });

  it('accepts credentials a command does not need (a shared with: block)', () => {
    const { settings } = parse({ ...base, 'file-url': '', command: 'wait', 'upload-id': 'b1' });
    expect(settings).toMatchObject({ command: 'wait', uploadId: 'b1', apiKey: 'sk-live-123' });
  });

  it('a bad timeout-minutes does not hide a missing file-url', () => {
    const message = problems({ ...base, 'file-url': '', 'timeout-minutes': 'abc' });
    expect(message).toContain('- timeout-minutes: must be a number of minutes');
    expect(message).toContain('- file-url: is required for command release');
  });

  it('a bad command does not hide missing bridge inputs', () => {
    const message = problems({ ...base, command: 'deploy', 'wait-via': 'bridge' });
    expect(message).toContain('- command: must be one of');
    expect(message).toMatch(/- bridge-url: is required[\s\S]*- bridge-token: is required/);
  });

  it.each(['0x10', '1e3', 'Infinity', '-5', '10 min', '.5', '5.'])('refuses timeout-minutes %j', (value) => {
    expect(problems({ ...base, 'timeout-minutes': value })).toContain(
      '- timeout-minutes: must be a number of minutes, written as a plain decimal number',
    );
  });

  it.each(['0x1F90', '80.5', '8e3', '70000'])('refuses receiver-port %j', (value) => {
    expect(problems({ ...base, 'receiver-port': value })).toMatch(/- receiver-port: must be a/);
  });

  it('takes plain decimals', () => {
    expect(parse({ ...base, 'timeout-minutes': ' 2.25 ', 'receiver-port': '0' }).settings).toMatchObject({
      timeoutMs: 135_000,
      receiverPort: 0,
    });
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

describe('issue 7: waiting for another provider', () => {
  const other = {
    provider: 'buildpixel',
    command: 'wait',
    subject: 'b-1',
    'wait-via': 'receiver',
    'webhook-secret': 's1,s2',
  };

  it('needs no Streampixel credentials, and masks the webhook secret', () => {
    const { settings, secrets } = parse(other);
    expect(settings).toMatchObject({ provider: 'buildpixel', subject: 'b-1', apiKey: '', projectId: '' });
    expect(secrets).toContain('s1,s2');
  });

  it('lists every problem of a provider wait at once', () => {
    const message = problems({
      provider: 'fastpix',
      command: 'release',
      'upload-id': 'u',
      'wait-via': 'receiver',
    });
    expect(message).toContain('- command: must be wait with provider fastpix');
    expect(message).toContain('- subject: is required with provider fastpix');
    expect(message).toContain('- upload-id: does not apply to provider fastpix');
    expect(message).toContain('- webhook-secret: is required with provider fastpix and wait-via: receiver');
  });

  it('checks the webhook secret’s form for the provider', () => {
    expect(problems({ ...other, provider: 'fastpix', 'webhook-secret': 'not base64!' })).toContain(
      '- webhook-secret: entry 1 is not a base64 signing secret',
    );
    expect(problems({ ...other, provider: 'pixop', 'webhook-secret': 'k1=AAAA' })).toContain(
      '- webhook-secret: entry 1 is not a <key-id>=<base64 DER public key> pair',
    );
    expect(problems({ ...other, provider: 'standard-webhooks' })).toContain(
      '- webhook-secret: standard-webhooks is awaited through the bridge',
    );
  });

  it('asks Streampixel for its credentials and refuses a subject there', () => {
    const message = problems({ command: 'wait', 'upload-id': 'u', subject: 's', 'wait-via': 'receiver' });
    expect(message).toContain('- api-key: is required');
    expect(message).toContain("- subject: is for another provider's unit of work");
  });

  it('refuses an unknown provider', () => {
    expect(problems({ ...base, provider: 'vimeo' })).toContain(
      '- provider: must be one of streampixel, buildpixel',
    );
  });
});

describe('issue 9: wait-via handoff', () => {
  const handoff = {
    ...base,
    'wait-via': 'handoff',
    'bridge-url': 'https://bridge.example/',
    'bridge-token': 'read-token',
  };

  it('releases with autoRelease true, since no job is left to call Distribute, and pre-flights the bridge', () => {
    const { settings } = parse(handoff);
    expect(settings).toMatchObject({ waitVia: 'handoff', autoRelease: true, dispatchOnOutcome: false });
    expect(planOf(settings)).toMatchObject({
      request: { command: 'release', autoRelease: true },
      wait: { via: 'handoff', url: 'https://bridge.example/', token: 'read-token' },
    });
  });

  it('takes an explicit auto-release: true, and distribute with an upload-id', () => {
    expect(parse({ ...handoff, 'auto-release': 'true' }).settings.autoRelease).toBe(true);
    const { settings } = parse({ ...handoff, 'file-url': '', command: 'distribute', 'upload-id': 'b1' });
    expect(planOf(settings).request).toEqual({ command: 'distribute', projectId: 'proj-1', uploadId: 'b1' });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'an explicit auto-release: false',
      { 'auto-release': 'false' },
      '- auto-release: cannot be false with wait-via: handoff',
    ],
    ['command upload', { command: 'upload' }, '- wait-via: cannot be handoff for command upload'],
    [
      'command wait',
      { command: 'wait', 'file-url': '', 'upload-id': 'b1' },
      '- wait-via: cannot be handoff for command wait',
    ],
    [
      'command test-webhook',
      { command: 'test-webhook', 'file-url': '' },
      '- wait-via: cannot be handoff for command test-webhook',
    ],
    ['no bridge-url', { 'bridge-url': '' }, '- bridge-url: is required with wait-via: handoff'],
    ['no bridge-token', { 'bridge-token': '' }, '- bridge-token: is required with wait-via: handoff'],
    [
      'dispatch-on-outcome without handoff',
      { 'wait-via': 'bridge', 'dispatch-on-outcome': 'true' },
      '- dispatch-on-outcome: applies only to wait-via: handoff',
    ],
    [
      'a bad dispatch-on-outcome',
      { 'dispatch-on-outcome': 'yes' },
      '- dispatch-on-outcome: must be true or false',
    ],
  ])('refuses %s', (_name, patch, problem) => {
    const message = problems({ ...handoff, ...patch });
    expect(message).toContain(problem);
    expect(message).toContain('have 1 problem:');
  });

  it("refuses another provider's wait: only a Streampixel release or distribute is handed off", () => {
    const message = problems({
      provider: 'buildpixel',
      command: 'wait',
      subject: 'b-1',
      'wait-via': 'handoff',
      'dispatch-on-outcome': 'true',
    });
    expect(message).toContain('- wait-via: cannot be handoff with provider buildpixel');
  });

  it('leaves dispatch-on-outcome: false alone with any wait path', () => {
    expect(parse({ ...base, 'dispatch-on-outcome': 'false' }).settings.dispatchOnOutcome).toBe(false);
  });

  it('keeps the notify inputs as given, for the bridge to notify with; none without notify-url', () => {
    const notify = { 'notify-url': 'https://hooks.slack.com/services/T0/B0/x', 'notify-on': 'always' };
    expect(parse({ ...handoff, ...notify, 'dispatch-on-outcome': 'true' }).settings).toMatchObject({
      notifyInputs: { url: 'https://hooks.slack.com/services/T0/B0/x', on: 'always', format: '' },
      dispatchOnOutcome: true,
    });
    expect(parse(handoff).settings.notifyInputs).toBeNull();
  });
});
