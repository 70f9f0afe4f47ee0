import type { Parsed } from '../../webhooks/provider-secrets.ts';
import { discordBody } from './discord.ts';
import { jsonBody } from './json.ts';
import type { ReleaseReport } from './report.ts';
import { slackBody } from './slack.ts';
import { teamsBody } from './teams.ts';

// Which JSON a notify-url gets: named by `notify-format`, or known from the webhook's host.

export const NOTIFY_FORMATS = ['slack', 'discord', 'teams', 'json'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

const BUILDERS = {
  slack: slackBody,
  discord: discordBody,
  teams: teamsBody,
  json: jsonBody,
} as const satisfies Record<NotifyFormat, (report: ReleaseReport) => object>;

/** The JSON body to POST for `report` in `format`. */
export function buildNotificationBody(format: NotifyFormat, report: ReleaseReport): object {
  return BUILDERS[format](report);
}

const endsWithDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** The format a webhook host speaks; anything unknown gets the generic JSON report. */
export function formatForUrl(url: URL): NotifyFormat {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'hooks.slack.com' || host === 'hooks.slack-gov.com') return 'slack';
  if (endsWithDomain(host, 'discord.com') || endsWithDomain(host, 'discordapp.com'))
    // Discord's own Slack-compatible endpoint is the webhook URL with /slack on the end.
    return /\/slack\/?$/.test(url.pathname) ? 'slack' : 'discord';
  if (
    host.endsWith('.webhook.office.com') ||
    host === 'outlook.office.com' ||
    host.endsWith('.logic.azure.com') ||
    host.endsWith('.api.powerplatform.com')
  )
    return 'teams';
  return 'json';
}

/** `notify-format` as written: empty means "from the host" (null). */
export function parseNotifyFormat(text: string): Parsed<NotifyFormat | null> {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'auto') return { ok: true, value: null };
  if ((NOTIFY_FORMATS as readonly string[]).includes(value))
    return { ok: true, value: value as NotifyFormat };
  return {
    ok: false,
    problems: [`must be one of ${NOTIFY_FORMATS.join(', ')} (or empty, to go by the URL's host)`],
  };
}

/** The format to use: the one named, else the host's. */
export const chooseFormat = (url: URL, named: NotifyFormat | null): NotifyFormat =>
  named ?? formatForUrl(url);
