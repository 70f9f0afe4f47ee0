import { MAX_DISPLAY_CHARS, MAX_OBJECTION_CHARS } from '../../webhooks/display-text.ts';
import { headline, type ReleaseReport } from './report.ts';
import { capText, safeLink } from './text.ts';

// Any endpoint taking JSON: the report itself, versioned, with a one-line `text` (the headline) as well, which is what
// Mattermost, Rocket.Chat and Google Chat webhooks show. JSON encoding is the neutralising here; strings are
// only made well-formed and cut to length. The receiver escapes for wherever it shows them.

export const JSON_NOTIFICATION_TYPE = 'streampixel-release.outcome';

export function jsonBody(report: ReleaseReport) {
  const short = (value: string | null) => (value === null ? null : capText(value, MAX_DISPLAY_CHARS));
  const detail = report.detail === null ? null : capText(report.detail, MAX_OBJECTION_CHARS);
  const subject = short(report.subject);
  return {
    type: JSON_NOTIFICATION_TYPE,
    version: 1,
    // Only our own words: a chat tool that reads `text` as Markdown gets no outside text to interpret.
    text: headline(report),
    provider: report.provider,
    command: report.command,
    outcome: report.outcome,
    projectId: short(report.projectId),
    subject,
    detail,
    shareUrl: safeLink(report.shareUrl),
    runUrl: safeLink(report.runUrl),
    repository: short(report.repository),
    commit: short(report.commit),
  };
}
