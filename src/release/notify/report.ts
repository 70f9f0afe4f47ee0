import { OUTCOMES, type Command } from '../../wait/types.ts';
import type { ProviderId } from '../../webhooks/event.ts';

// What a notification tells: one small shape the orchestration (or the bridge, after a handoff) fills in,
// whatever the command and provider. Every string in it may come from outside (Streampixel's objection, ids
// from webhooks) and is neutralised by each format, never here.

/** Every outcome a notification can report; `error` is a step that ended without one (a failed pre-flight). */
export const NOTIFY_OUTCOMES = [...OUTCOMES, 'error'] as const;
export type NotifyOutcome = (typeof NOTIFY_OUTCOMES)[number];

export interface ReleaseReport {
  provider: ProviderId;
  command: Command;
  projectId: string | null;
  /** The build (Streampixel uploadId) or other provider's unit of work. */
  subject: string | null;
  outcome: NotifyOutcome;
  /** The objection of a rejection, or why the step failed or timed out. */
  detail: string | null;
  /** The share link, only when the build is live. */
  shareUrl: string | null;
  /** The workflow run (or CI job) that did the release. */
  runUrl: string | null;
  /** owner/name */
  repository: string | null;
  /** The commit SHA released. */
  commit: string | null;
}

/** How an outcome reads: the colour of the card and the words that lead it. */
export const TONES = ['good', 'bad', 'warning', 'neutral'] as const;
export type Tone = (typeof TONES)[number];

const OUTCOME_TEXT = {
  approved: { tone: 'good', emoji: '✅', words: 'is live' },
  rejected: { tone: 'bad', emoji: '❌', words: 'was rejected' },
  'timed-out': { tone: 'warning', emoji: '⏱️', words: 'timed out waiting for an outcome' },
  submitted: { tone: 'neutral', emoji: '📤', words: 'was submitted' },
  processed: { tone: 'neutral', emoji: '📦', words: 'was processed' },
  'test-delivered': { tone: 'good', emoji: '🔔', words: 'test webhook was delivered' },
  succeeded: { tone: 'good', emoji: '✅', words: 'succeeded' },
  failed: { tone: 'bad', emoji: '❌', words: 'failed' },
  cancelled: { tone: 'warning', emoji: '🚫', words: 'was cancelled' },
  'handed-off': { tone: 'neutral', emoji: '🤝', words: 'was handed off to the release bridge' },
  error: { tone: 'bad', emoji: '⚠️', words: 'step failed' },
} as const satisfies Record<NotifyOutcome, { tone: Tone; emoji: string; words: string }>;

const PROVIDER_NAMES = {
  streampixel: 'Streampixel',
  buildpixel: 'BuildPixel',
  fastpix: 'FastPix',
  pixop: 'Pixop',
  'standard-webhooks': 'Standard Webhooks',
} as const satisfies Record<ProviderId, string>;

const UNITS = {
  streampixel: 'build',
  buildpixel: 'build',
  fastpix: 'media',
  pixop: 'video',
  'standard-webhooks': 'subject',
} as const satisfies Record<ProviderId, string>;

export const toneOf = (outcome: NotifyOutcome): Tone => OUTCOME_TEXT[outcome].tone;

/** The headline, plain text with no outside text in it: "❌ Streampixel release was rejected". */
export function headline(report: ReleaseReport): string {
  const { emoji, words } = OUTCOME_TEXT[report.outcome];
  const provider = PROVIDER_NAMES[report.provider];
  if (report.command === 'test-webhook')
    return `${emoji} ${provider} test webhook ${testWords(report.outcome)}`;
  // "Streampixel release is live", "BuildPixel build failed".
  const what = report.provider === 'streampixel' ? report.command : UNITS[report.provider];
  return `${emoji} ${provider} ${what} ${words}`;
}

// The test-webhook card talks about the webhook, never a build.
function testWords(outcome: NotifyOutcome): string {
  if (outcome === 'test-delivered') return 'was delivered';
  if (outcome === 'timed-out') return 'did not arrive in time';
  return OUTCOME_TEXT[outcome].words;
}

/** What the subject is called: "Build", "BuildPixel build", "FastPix media". */
export function subjectLabel(report: ReleaseReport): string {
  return report.provider === 'streampixel'
    ? 'Build'
    : `${PROVIDER_NAMES[report.provider]} ${UNITS[report.provider]}`;
}

/** The label of the detail field: an objection for a rejection, a reason otherwise. */
export const detailLabel = (outcome: NotifyOutcome): string =>
  outcome === 'rejected' ? 'Objection' : 'Reason';

export interface Fact {
  label: string;
  /** Outside text, not yet neutralised. */
  value: string;
}

/** The facts a card lists, in order, leaving out what is not known (chat cards refuse empty values). */
export function factsOf(report: ReleaseReport): Fact[] {
  const facts: Fact[] = [];
  if (report.projectId) facts.push({ label: 'Project', value: report.projectId });
  if (report.subject) facts.push({ label: subjectLabel(report), value: report.subject });
  if (report.repository) facts.push({ label: 'Repository', value: report.repository });
  // A short SHA reads like GitHub's own; the JSON format keeps the full one.
  if (report.commit) facts.push({ label: 'Commit', value: report.commit.slice(0, 12) });
  return facts;
}
