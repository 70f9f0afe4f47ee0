import { MAX_DISPLAY_CHARS } from '../../webhooks/display-text.ts';
import { detailLabel, factsOf, headline, toneOf, type ReleaseReport, type Tone } from './report.ts';
import { breakMention, fitEscaped, safeLink } from './text.ts';

// Microsoft Teams: an Adaptive Card in a `message` envelope, which both the Workflows webhooks
// (*.logic.azure.com, *.powerplatform.com) and the older connector webhooks (*.webhook.office.com) accept.
// TextBlocks read a Markdown subset, so outside text has its punctuation backslash-escaped; a mention needs
// an `msteams.entities` entry, which the card never has, and `<` is escaped so `<at>` stays text.

const DETAIL_MAX = 2000;

const COLORS = {
  good: 'Good',
  bad: 'Attention',
  warning: 'Warning',
  neutral: 'Default',
} as const satisfies Record<Tone, string>;

const MARKDOWN = /[\\*_~`|>#\-+!.[\]()<:]/;
const escapeTeamsChar = (char: string): string => (MARKDOWN.test(char) ? `\\${char}` : breakMention(char));
const teamsText = (text: string, maxChars: number) => fitEscaped(text, maxChars, escapeTeamsChar);

export function teamsBody(report: ReleaseReport) {
  const body: object[] = [
    {
      type: 'TextBlock',
      text: headline(report),
      size: 'Medium',
      weight: 'Bolder',
      color: COLORS[toneOf(report.outcome)],
      wrap: true,
    },
  ];
  const facts = factsOf(report);
  if (facts.length > 0)
    body.push({
      type: 'FactSet',
      facts: facts.map(({ label, value }) => ({
        title: label,
        value: teamsText(value, MAX_DISPLAY_CHARS * 2),
      })),
    });
  if (report.detail !== null)
    body.push(
      {
        type: 'TextBlock',
        text: detailLabel(report.outcome),
        weight: 'Bolder',
        spacing: 'Medium',
        wrap: true,
      },
      { type: 'TextBlock', text: teamsText(report.detail, DETAIL_MAX), wrap: true },
    );
  const actions = [
    [safeLink(report.shareUrl), 'Open the live build'],
    [safeLink(report.runUrl), 'View the run'],
  ].flatMap(([url, title]) => (url ? [{ type: 'Action.OpenUrl', title, url }] : []));

  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
  return {
    type: 'message',
    summary: headline(report),
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
