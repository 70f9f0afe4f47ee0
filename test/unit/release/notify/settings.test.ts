import { describe, expect, it } from 'vitest';
import { parseNotifySettings } from '../../../../src/release/notify/settings.ts';

describe('parseNotifySettings', () => {
  it('is off (null) without a notify-url', () => {
    expect(parseNotifySettings({ url: ' ', format: '', on: '' })).toEqual({ ok: true, value: null });
  });

  it('reads all three inputs', () => {
    const result = parseNotifySettings({
      url: 'https://hooks.slack.com/services/T/B/x',
      format: '',
      on: 'always',
    });
    expect(result.ok).toBe(true);
    if (!result.ok || result.value === null) return;
    expect(result.value.url.hostname).toBe('hooks.slack.com');
    expect(result.value.format).toBeNull();
    expect(result.value.on.has('approved')).toBe(true);
  });

  it('reports every problem at once, never repeating the URL', () => {
    const result = parseNotifySettings({
      url: 'http://hooks.example.com/secret-path-123456',
      format: 'pager',
      on: 'sometimes',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'notify-url must be an https:// URL (it is http://…)',
      expect.stringMatching(/^notify-format must be one of slack, discord, teams, json/),
      expect.stringMatching(/^notify-on: "sometimes" is not an outcome/),
    ]);
    expect(result.problems.join('\n')).not.toContain('secret-path');
  });

  it('still checks notify-format and notify-on when notifications are off', () => {
    expect(parseNotifySettings({ url: '', format: 'pager', on: '' }).ok).toBe(false);
  });
});
