import { describe, expect, it } from 'vitest';
import { checkNotifyUrl, hostOf, originOf, scrub } from '../../../../src/release/notify/notify-url.ts';

describe('checkNotifyUrl', () => {
  it('takes https only (http only through the test allowance)', () => {
    expect(checkNotifyUrl('https://hooks.slack.com/services/T/B/x').ok).toBe(true);
    expect(checkNotifyUrl('http://hooks.slack.com/x')).toEqual({
      ok: false,
      problem: 'notify-url must be an https:// URL (it is http://…)',
    });
    expect(checkNotifyUrl('http://hooks.slack.com/x', { allowHttp: true }).ok).toBe(true);
    expect(checkNotifyUrl('file:///etc/passwd').ok).toBe(false);
    expect(checkNotifyUrl('hooks.slack.com/x')).toEqual({
      ok: false,
      problem: 'notify-url is not a valid URL',
    });
  });

  it('refuses credentials in the URL, without repeating them', () => {
    const result = checkNotifyUrl('https://admin:Tr0ub4dor@example.com/hook');
    expect(result).toEqual({
      ok: false,
      problem: 'notify-url must not hold a user name or password (https://example.com)',
    });
  });
});

describe('what may be shown of a notify-url', () => {
  const url = new URL('https://discord.com:8443/api/webhooks/123456789/SeCrEtToKeN_abc?thread_id=99887766');

  it('is scheme, host and port', () => {
    expect(originOf(url)).toBe('https://discord.com:8443');
  });

  it('scrub removes the path, the query and their longer pieces, raw or decoded', () => {
    const text = `failed for ${url.href}; path ${url.pathname}; token SeCrEtToKeN_abc; thread 99887766`;
    const clean = scrub(text, url);
    for (const secret of ['SeCrEtToKeN_abc', '123456789', '99887766', '/api/webhooks'])
      expect(clean).not.toContain(secret);
    expect(scrub('token S%65CrEt', new URL('https://x.example/S%65CrEt-longer'))).toBe('token S%65CrEt');
    expect(scrub('token Se CrEt-longer', new URL('https://x.example/Se%20CrEt-longer'))).toBe('token …');
  });

  it('hostOf strips IPv6 brackets and a trailing dot', () => {
    expect(hostOf(new URL('https://[::1]:8443/x'))).toBe('::1');
    expect(hostOf(new URL('https://hooks.slack.com./x'))).toBe('hooks.slack.com');
    expect(hostOf(new URL('https://2130706433/x'))).toBe('127.0.0.1');
  });
});
