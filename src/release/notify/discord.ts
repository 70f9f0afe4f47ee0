import { MAX_DISPLAY_CHARS } from '../../webhooks/display-text.ts';
import { detailLabel, factsOf, headline, toneOf, type ReleaseReport, type Tone } from './report.ts';
import { breakMention, fitEscaped, safeLink } from './text.ts';

// Discord webhook: `content` (what a push notification shows) and one embed. `allowed_mentions: {parse: []}`
// means nothing in the message can ping anyone; outside text also has Markdown punctuation backslash-escaped
// (Discord shows `\*` as `*`), `:` escaped so no URL in an objection becomes a link, and `@` broken up.

const DESCRIPTION_MAX = 2000;
const FIELD_VALUE_MAX = 1024;

const COLORS = {
  good: 0x2eb67d,
  bad: 0xe01e5a,
  warning: 0xecb22e,
  neutral: 0x5865f2,
} as const satisfies Record<Tone, number>;

const MARKDOWN = /[\\*_~`|>#\-[\]()<:]/;
const escapeDiscordChar = (char: string): string => (MARKDOWN.test(char) ? `\\${char}` : breakMention(char));
const discordText = (text: string, maxChars: number) => fitEscaped(text, maxChars, escapeDiscordChar);

export function discordBody(report: ReleaseReport) {
  const fields = factsOf(report).map(({ label, value }) => ({
    name: label,
    value: discordText(value, Math.min(MAX_DISPLAY_CHARS * 2, FIELD_VALUE_MAX)),
    inline: true,
  }));
  const shareUrl = safeLink(report.shareUrl);
  if (shareUrl !== null)
    fields.push({ name: 'Live build', value: `[Open the live build](${shareUrl})`, inline: false });

  const embed: Record<string, unknown> = { color: COLORS[toneOf(report.outcome)], fields };
  if (report.detail !== null)
    embed.description = `**${detailLabel(report.outcome)}**\n${discordText(report.detail, DESCRIPTION_MAX)}`;
  const runUrl = safeLink(report.runUrl);
  // The embed's title links to the run.
  if (runUrl !== null) {
    embed.title = 'View the run';
    embed.url = runUrl;
  }
  return { content: headline(report), embeds: [embed], allowed_mentions: { parse: [] } };
}
