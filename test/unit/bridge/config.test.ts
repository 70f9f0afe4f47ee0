import { NO_PROVIDERS } from '../../../src/bridge/provider-config.ts';
import { describe, expect, it } from 'vitest';
import { BridgeConfigError, handoffsEnabled, parseBridgeConfig } from '../../../src/bridge/config.ts';

const INGEST = 'ingest-token-0123456789';
const READ = 'read-token-0123456789/+=';
const valid = { BRIDGE_INGEST_TOKEN: INGEST, BRIDGE_READ_TOKEN: READ };

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    parseBridgeConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(BridgeConfigError);
    return (error as BridgeConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseBridgeConfig', () => {
  it('applies the documented defaults', () => {
    expect(parseBridgeConfig(valid)).toEqual({
      port: 8080,
      host: '0.0.0.0',
      database: { kind: 'sqlite', path: './release-bridge.db' },
      ingestToken: INGEST,
      readToken: READ,
      projectIds: undefined,
      retentionDays: 30,
      logLevel: 'info',
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      authFailuresPerMinute: 60,
      maxWaiters: 2_000,
      providers: NO_PROVIDERS,
      handoff: null,
    });
  });

  it('treats empty variables as unset', () => {
    const config = parseBridgeConfig({
      ...valid,
      BRIDGE_PORT: '',
      BRIDGE_HOST: ' ',
      BRIDGE_DATABASE: '',
      BRIDGE_PROJECT_IDS: '',
      BRIDGE_RETENTION_DAYS: '',
    });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', projectIds: undefined, retentionDays: 30 });
    expect(config.database).toEqual({ kind: 'sqlite', path: './release-bridge.db' });
  });

  it('reads every variable', () => {
    expect(
      parseBridgeConfig({
        ...valid,
        BRIDGE_PORT: '9000',
        BRIDGE_HOST: '127.0.0.1',
        BRIDGE_DATABASE: '/var/lib/bridge/events.db',
        BRIDGE_PROJECT_IDS: ' proj-1, proj-2 ,,proj-3 ',
        BRIDGE_RETENTION_DAYS: '7.5',
        BRIDGE_LOG_LEVEL: 'warn',
        BRIDGE_HEADERS_TIMEOUT_MS: '2000',
        BRIDGE_REQUEST_TIMEOUT_MS: ' 5000 ',
        BRIDGE_AUTH_FAILURES_PER_MINUTE: '0',
        BRIDGE_MAX_WAITERS: '10',
      }),
    ).toEqual({
      port: 9000,
      host: '127.0.0.1',
      database: { kind: 'sqlite', path: '/var/lib/bridge/events.db' },
      ingestToken: INGEST,
      readToken: READ,
      projectIds: ['proj-1', 'proj-2', 'proj-3'],
      retentionDays: 7.5,
      logLevel: 'warn',
      headersTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      authFailuresPerMinute: 0,
      maxWaiters: 10,
      providers: NO_PROVIDERS,
      handoff: null,
    });
  });

  it.each([
    ['postgres://bridge:pw@db.internal:5432/bridge', 'postgres'],
    ['postgresql://bridge@db/bridge?sslmode=require', 'postgres'],
    ['POSTGRES://db/bridge', 'postgres'],
    ['./data/bridge.db', 'sqlite'],
    ['bridge.db', 'sqlite'],
    ['C:\\bridge\\events.db', 'sqlite'],
  ])('detects the database kind of %s', (value, kind) => {
    const { database } = parseBridgeConfig({ ...valid, BRIDGE_DATABASE: value });
    expect(database.kind).toBe(kind);
    expect(database).toEqual(kind === 'postgres' ? { kind, url: value } : { kind, path: value });
  });

  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      BRIDGE_PORT: '70000',
      BRIDGE_DATABASE: 'mysql://db/bridge',
      BRIDGE_READ_TOKEN: 'short',
      BRIDGE_PROJECT_IDS: ' , ',
      BRIDGE_RETENTION_DAYS: '0',
      BRIDGE_LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^BRIDGE_PORT /),
      expect.stringMatching(/^BRIDGE_DATABASE must be a file path/),
      expect.stringMatching(/^BRIDGE_INGEST_TOKEN is required/),
      expect.stringMatching(/^BRIDGE_READ_TOKEN must be at least 16 characters/),
      expect.stringMatching(/^BRIDGE_PROJECT_IDS lists no project id/),
      expect.stringMatching(/^BRIDGE_RETENTION_DAYS must be a positive number/),
      expect.stringMatching(/^BRIDGE_LOG_LEVEL must be one of/),
    ]);
  });

  it.each([
    ['BRIDGE_PORT', 'eighty'],
    ['BRIDGE_PORT', '-1'],
    ['BRIDGE_PORT', '80.5'],
    ['BRIDGE_RETENTION_DAYS', '-3'],
    ['BRIDGE_RETENTION_DAYS', 'forever'],
    ['BRIDGE_DATABASE', 'postgres://[not-a-host'],
    ['BRIDGE_HEADERS_TIMEOUT_MS', '0'],
    ['BRIDGE_HEADERS_TIMEOUT_MS', '99'],
    ['BRIDGE_REQUEST_TIMEOUT_MS', '600001'],
    ['BRIDGE_REQUEST_TIMEOUT_MS', '1e4'],
    ['BRIDGE_AUTH_FAILURES_PER_MINUTE', '-1'],
    ['BRIDGE_AUTH_FAILURES_PER_MINUTE', 'many'],
    ['BRIDGE_MAX_WAITERS', '0'],
    ['BRIDGE_MAX_WAITERS', '1.5'],
  ])('refuses %s=%s', (name, value) => {
    expect(problemsOf({ ...valid, [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name} `))]);
  });

  it('requires URL-safe ingest tokens (they are a path segment)', () => {
    for (const token of [
      'has/slash-0123456789',
      'has space 0123456789',
      'percent%200123456789',
      'ünïcødé-0123456789',
    ]) {
      expect(problemsOf({ ...valid, BRIDGE_INGEST_TOKEN: token })).toEqual([
        'BRIDGE_INGEST_TOKEN may contain only letters, digits and . _ ~ -',
      ]);
    }
    expect(parseBridgeConfig({ ...valid, BRIDGE_INGEST_TOKEN: 'a-Z_0.9~' + 'x'.repeat(8) }).ingestToken).toBe(
      'a-Z_0.9~xxxxxxxx',
    );
  });

  it('never repeats a token or database password in its messages', () => {
    const secrets = {
      BRIDGE_INGEST_TOKEN: 'short/secret',
      BRIDGE_READ_TOKEN: 'my read secret with spaces',
      BRIDGE_DATABASE: 'redis://user:hunter2-password@db',
    };
    let message = '';
    try {
      parseBridgeConfig(secrets);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('BRIDGE_INGEST_TOKEN');
    expect(message).toContain('BRIDGE_READ_TOKEN');
    expect(message).toContain('BRIDGE_DATABASE');
    for (const secret of ['short/secret', 'my read secret', 'hunter2']) expect(message).not.toContain(secret);
  });

  describe('BRIDGE_HANDOFF_TOKEN (handoffs from other CI, without GitHub)', () => {
    const HANDOFF = 'handoff-token-0123456789~!';

    it('is optional, and alone turns handoffs on (no OIDC, no App)', () => {
      const config = parseBridgeConfig({ ...valid, BRIDGE_HANDOFF_TOKEN: HANDOFF });
      expect(config).toMatchObject({ handoffToken: HANDOFF, handoff: null });
      expect(handoffsEnabled(config)).toBe(true);
      expect(parseBridgeConfig({ ...valid, BRIDGE_HANDOFF_TOKEN: ' ' }).handoffToken).toBeUndefined();
      expect(handoffsEnabled(parseBridgeConfig(valid))).toBe(false);
    });

    it.each([
      ['short', 'BRIDGE_HANDOFF_TOKEN must be at least 16 characters long'],
      ['x'.repeat(201), 'BRIDGE_HANDOFF_TOKEN must be at most 200 characters long'],
      [
        'has a space 0123456789',
        'BRIDGE_HANDOFF_TOKEN may contain only visible ASCII characters (no spaces)',
      ],
      [INGEST, 'BRIDGE_HANDOFF_TOKEN must differ from BRIDGE_INGEST_TOKEN'],
      [READ, 'BRIDGE_HANDOFF_TOKEN must differ from BRIDGE_READ_TOKEN'],
    ])('refuses %s, never repeating it', (value, problem) => {
      const problems = problemsOf({ ...valid, BRIDGE_HANDOFF_TOKEN: value });
      expect(problems).toEqual([problem]);
      expect(problems.join('\n')).not.toContain(value);
    });
  });

  it('reads only BRIDGE_* variables', () => {
    expect(() => parseBridgeConfig({ ...valid, PATH: '/usr/bin', PORT: 'x' })).not.toThrow();
  });
});
