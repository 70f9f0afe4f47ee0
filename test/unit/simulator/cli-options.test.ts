import { describe, expect, it } from 'vitest';
import { parseCliOptions } from '../../../src/simulator/cli-options.ts';
import { describeCall, redactUrl } from '../../../src/simulator/log-lines.ts';

describe('parseCliOptions', () => {
  it('has defaults that need no configuration', () => {
    expect(parseCliOptions([], {})).toEqual({
      ok: true,
      options: {
        port: 4010,
        host: '127.0.0.1',
        webhookUrl: undefined,
        timeScale: 1,
        webhookTimeoutMs: 10_000,
        eventFilter: undefined,
        scenario: {},
      },
    });
  });

  it('reads flags, falling back to SIMULATOR_* variables', () => {
    const result = parseCliOptions(
      [
        '--port',
        '0',
        '--webhook-url',
        'http://127.0.0.1:8080/',
        '--events',
        'build.approved, build.rejected',
      ],
      {
        SIMULATOR_PORT: '9999',
        SIMULATOR_TIME_SCALE: '0.01',
        SIMULATOR_SCENARIO: '{"rejectAt":{"event":"build.saving","objection":"too big"}}',
      },
    );
    expect(result).toMatchObject({
      ok: true,
      options: {
        port: 0,
        webhookUrl: 'http://127.0.0.1:8080/',
        timeScale: 0.01,
        eventFilter: ['build.approved', 'build.rejected'],
        scenario: { rejectAt: { event: 'build.saving', objection: 'too big' } },
      },
    });
  });

  it('lists every problem at once', () => {
    const result = parseCliOptions(['--port', 'x', '--time-scale', '0', '--scenario', '{"reorder":"yes"}'], {
      SIMULATOR_WEBHOOK_URL: 'not a url',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(4);
    expect(result.problems.join('\n')).toMatch(/--port[\s\S]*--time-scale[\s\S]*--webhook-url[\s\S]*reorder/);
  });

  it('reports unknown flags and help', () => {
    expect(parseCliOptions(['--bogus'], {})).toMatchObject({ ok: false, help: false });
    expect(parseCliOptions(['-h'], {})).toEqual({ ok: false, help: true, problems: [] });
  });
});

describe('log lines', () => {
  it('hide the path of a webhook URL, where ingest tokens live', () => {
    expect(redactUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
    expect(redactUrl('https://bridge.example.com/hooks/streampixel/s3cret')).toBe(
      'https://bridge.example.com/***',
    );
    expect(redactUrl('https://h.example.com/?token=s3cret')).toBe('https://h.example.com/***');
  });

  it('print a call on one line', () => {
    const line = describeCall({
      method: 'POST',
      path: '/projects/upload-file',
      endpoint: 'upload-file',
      status: 200,
      body: { apiKey: '***', userId: 'u' },
      response: { message: 'ok' },
      at: 0,
    });
    expect(line).not.toContain('\n');
    expect(line).toContain('POST /projects/upload-file → 200');
  });
});
