import { isIP } from 'node:net';

// notify-url as a user writes it, checked before anything is resolved or sent. Slack and Discord webhook
// URLs carry their secret in the path, so nothing here or in the sender ever shows more than scheme and host.

export type NotifyUrlCheck = { ok: true; url: URL } | { ok: false; problem: string };

export function checkNotifyUrl(text: string, options: { allowHttp?: boolean } = {}): NotifyUrlCheck {
  if (!URL.canParse(text.trim())) return { ok: false, problem: 'notify-url is not a valid URL' };
  const url = new URL(text.trim());
  const allowed = options.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(url.protocol))
    return { ok: false, problem: `notify-url must be an https:// URL (it is ${url.protocol}//…)` };
  // Userinfo would be a second secret riding in the URL, and a way to dress one host up as another.
  if (url.username !== '' || url.password !== '')
    return { ok: false, problem: `notify-url must not hold a user name or password (${originOf(url)})` };
  return { ok: true, url };
}

/** What may be shown of a notify-url: scheme, host and port, never path or query. */
export const originOf = (url: URL): string => `${url.protocol}//${url.host}`;

/** The host to resolve or connect to, without IPv6 brackets and without a trailing dot. */
export function hostOf(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : host.replace(/\.$/, '');
}

/**
 * Everything of a notify-url that is secret, longest first, for scrubbing text that came from elsewhere
 * (an error message, the endpoint's answer) before it is shown: the URL, its path and query, raw and
 * decoded, and each longer path segment and query value alone.
 */
export function secretPartsOf(url: URL): string[] {
  const parts = new Set<string>([url.href, `${url.pathname}${url.search}`, url.search, url.pathname]);
  for (const segment of url.pathname.split('/')) parts.add(segment);
  for (const value of url.searchParams.values()) parts.add(value);
  for (const part of [...parts]) {
    try {
      parts.add(decodeURIComponent(part));
    } catch {
      // a malformed escape: the raw form is already listed
    }
  }
  // Short pieces (`/`, `api`, `v1`) are not secrets, and scrubbing them would garble every message.
  return [...parts].filter((part) => part.length >= 6).sort((a, b) => b.length - a.length);
}

export function scrub(text: string, url: URL): string {
  return secretPartsOf(url).reduce((clean, part) => clean.split(part).join('…'), text);
}
