import { MAX_DISPLAY_CHARS } from '../../webhooks/display-text.ts';
import { detailLabel, factsOf, headline, type ReleaseReport } from './report.ts';
import { breakMention, fitEscaped, safeLink } from './text.ts';

// Slack incoming webhook: `text` (the notification and fallback) plus Block Kit blocks. mrkdwn reads `&`,
// `<` and `>` as markup (`<!channel>` pings everyone, `<url|label>` is a link), so outside text has exactly
// those three escaped, the way Slack documents; `@` gets a word joiner so `@here` stays text.

// Block Kit allows 3000 characters in a section and 2000 in a field; the escaped text stays below both.
const DETAIL_MAX = 2000;

const escapeSlackChar = (char: string): string => {
  if (char === '&') return '&amp;';
  if (char === '<') return '&lt;';
  if (char === '>') return '&gt;';
  return breakMention(char);
};

const slackText = (text: string, maxChars: number) => fitEscaped(text, maxChars, escapeSlackChar);
const slackLink = (url: string, label: string) => `<${url.replace(/&/g, '&amp;')}|${label}>`;

export function slackBody(report: ReleaseReport) {
  const title = headline(report);
  const facts = factsOf(report);
  const detail = report.detail === null ? null : slackText(report.detail, DETAIL_MAX);
  const links = [
    [safeLink(report.shareUrl), 'Open the live build'],
    [safeLink(report.runUrl), 'View the run'],
  ].flatMap(([url, label]) => (url ? [slackLink(url, label ?? '')] : []));

  const blocks: object[] = [{ type: 'header', text: { type: 'plain_text', text: title, emoji: true } }];
  if (facts.length > 0)
    blocks.push({
      type: 'section',
      fields: facts.map(({ label, value }) => ({
        type: 'mrkdwn',
        text: `*${label}*\n${slackText(value, MAX_DISPLAY_CHARS)}`,
      })),
    });
  if (detail !== null)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${detailLabel(report.outcome)}*\n${detail}` },
    });
  if (links.length > 0)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] });

  const subject = report.subject === null ? '' : ` (${slackText(report.subject, MAX_DISPLAY_CHARS)})`;
  return { text: `${title}${subject}${detail === null ? '' : `: ${detail}`}`, blocks };
}
