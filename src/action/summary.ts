import type { Settings } from '../release/inputs.ts';
import { shareUrl } from '../streampixel/schemas.ts';
import { formatDuration, formatMinutes, formatTimeOfDay } from '../wait/format.ts';
import type { Outcome, Result, TimelineEntry } from '../wait/types.ts';
import { MAX_OBJECTION_CHARS, markdownText } from '../webhooks/display-text.ts';
import { UNIT_OF_WORK } from '../webhooks/event.ts';

// The job summary (DESIGN §3.4): the outcome first, a Gantt chart of the stages, the timeline table, the
// objection once, the share link only for a live build, the commit and date, and the next step to take
// when something went wrong. Written even when the inputs were refused.

export interface SummaryReport {
  /** null when the inputs were refused. */
  settings: Settings | null;
  uploadId: string | null;
  /** null when an error ended the run (then `error` says what). */
  result: Result | null;
  error: string | null;
  timeline: readonly TimelineEntry[];
  durationMs: number;
  context: { commit: string | null; commitUrl: string | null; runUrl: string | null; date: string };
  /** Set when the run was handed off to the bridge: where its outcome will appear. */
  handoff?: HandoffSummary | null;
}

export interface HandoffSummary {
  id: string;
  /** GET <bridge-url>/v1/handoffs/<id>. */
  statusUrl: string;
  /** The Deployment the bridge will finish; null when none was made. */
  deploymentId: number | null;
}

const OUTCOME_LINE: Record<Outcome, string> = {
  approved: '✅ Approved: the build is live',
  rejected: '❌ Rejected',
  'timed-out': '⏱️ Timed out waiting for the outcome',
  submitted: '📤 Submitted: not waiting for the outcome',
  processed: '📦 Processed: staged for a later Distribute',
  'test-delivered': '✅ Test webhook delivered',
  'handed-off': '🤝 Handed off: the release bridge follows the build',
  succeeded: '✅ Succeeded',
  failed: '❌ Failed',
  cancelled: '⏹️ Cancelled',
};

// Webhook and API text ends up in the summary: as character references it renders as itself, never as a
// link, an image, emphasis, a table cell break or HTML.
const cell = (text: string): string => markdownText(text);
const code = (text: string): string => `<code>${markdownText(text)}</code>`;

/** Rows in the order the provider stamped them, each with the time until the next stage began. */
export function timelineRows(timeline: readonly TimelineEntry[]): string[][] {
  return byTime(timeline).map((entry, index, sorted) => {
    const next = sorted[index + 1];
    const spent = next ? formatDuration(Date.parse(next.timestamp) - Date.parse(entry.timestamp)) : '—';
    return [entry.event, entry.status, formatTimeOfDay(entry.timestamp), spent];
  });
}

const byTime = (timeline: readonly TimelineEntry[]) =>
  [...timeline].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));

/**
 * A Mermaid Gantt chart, one bar a stage, from its timestamp to the next stage's (the last one a moment
 * long). Task names are reduced to characters Mermaid cannot read as syntax.
 */
export function ganttChart(timeline: readonly TimelineEntry[]): string[] {
  const sorted = byTime(timeline).filter((entry) => !Number.isNaN(Date.parse(entry.timestamp)));
  if (sorted.length === 0) return [];
  const lines = ['```mermaid', 'gantt', '  dateFormat x', '  axisFormat %H:%M:%S', '  section Stages'];
  sorted.forEach((entry, index) => {
    const start = Date.parse(entry.timestamp);
    const end = Math.max(start + 1000, Date.parse(sorted[index + 1]?.timestamp ?? '') || start + 1000);
    const name = entry.event.replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 60);
    lines.push(`  ${name} : s${index}, ${start}, ${end}`);
  });
  lines.push('```');
  return lines;
}

/** The job summary in GitHub-flavoured Markdown. */
export function renderSummary(report: SummaryReport): string {
  const { settings, result } = report;
  if (!settings) return inputsRefused(report);
  const streampixel = settings.provider === 'streampixel';
  const unit = UNIT_OF_WORK[settings.provider];
  const testing = settings.command === 'test-webhook';
  const title = testing
    ? 'Streampixel webhook check'
    : streampixel
      ? `Streampixel ${settings.command}: ${report.uploadId ? `build ${code(report.uploadId)}` : 'no build'}`
      : `Wait for a ${unit}: ${code(report.uploadId ?? '')}`;
  const lines = [`## ${title}`, ''];
  lines.push(`**Outcome:** ${result?.outcome ? OUTCOME_LINE[result.outcome] : '❌ Failed'}`, '');
  // A rejection's message only repeats the objection: show the objection once.
  const message = result ? result.failure : report.error;
  if (result?.objection)
    lines.push(`**Objection:** ${markdownText(result.objection, MAX_OBJECTION_CHARS)}`, '');
  else if (message) lines.push(`> ${markdownText(message, MAX_OBJECTION_CHARS)}`, '');
  const next = nextStep(report);
  if (next) lines.push(`**Next step:** ${next}`, '');
  if (result?.outcome === 'handed-off') lines.push(...handedOff(settings, report), '');

  if (report.timeline.length > 0) {
    lines.push(...ganttChart(report.timeline), '');
    const first = testing ? 'Event' : 'Stage';
    lines.push(`| ${first} | Status | Time (UTC) | Time in stage |`, '| --- | --- | --- | --- |');
    for (const row of timelineRows(report.timeline)) lines.push(`| ${row.map(cell).join(' | ')} |`);
    lines.push('');
  } else if (!testing && result?.outcome !== 'handed-off') {
    lines.push(`_No event of this ${unit} was received._`, '');
  }
  lines.push(footer(report), '');
  return lines.join('\n');
}

/** Where the outcome of a handed-off build will appear, and how a job can still follow it. */
function handedOff(settings: Settings, report: SummaryReport): string[] {
  const build = code(report.uploadId ?? '');
  const call = settings.command === 'distribute' ? 'Distribute' : 'the upload';
  const lines = [
    `The job ended once Streampixel accepted ${call}. The release bridge follows build ${build} for up to ` +
      `${formatMinutes(settings.timeoutMs)} from the step's start; its outcome will appear in:`,
    '',
  ];
  const { handoff } = report;
  if (settings.environment && handoff?.deploymentId != null) {
    lines.push(
      `- the status of GitHub Deployment ${code(String(handoff.deploymentId))} to ${code(settings.environment)} ` +
        '(in_progress until then)',
    );
  }
  if (settings.notify) {
    lines.push(`- the notification to notify-url, for ${code([...settings.notify.on].join(', '))}`);
  }
  if (settings.dispatchOnOutcome) {
    lines.push('- a `streampixel-release` repository_dispatch event, for a follow-up workflow');
  }
  if (handoff) {
    lines.push(
      `- the bridge's handoff ${code(handoff.id)}: ${code(`GET ${handoff.statusUrl}`)} with the bridge's read token`,
    );
  }
  lines.push(
    '',
    `**To follow it in a job anyway:** \`command: wait\` with \`upload-id: ${markdownText(report.uploadId ?? '')}\`.`,
  );
  return lines;
}

function footer(report: SummaryReport): string {
  const { settings, result, context } = report;
  const parts: string[] = [];
  if (settings?.provider === 'streampixel' && settings.projectId) {
    parts.push(`Project ${code(settings.projectId)}`);
    // The share link only once the build is live: before that it shows the previous build, or nothing.
    if (result?.outcome === 'approved') parts.push(`[share link](${shareUrl(settings.projectId)})`);
  }
  if (context.commit) {
    const short = code(context.commit.slice(0, 7));
    parts.push(context.commitUrl ? `commit [${short}](${context.commitUrl})` : `commit ${short}`);
  }
  parts.push(
    `${context.date.slice(0, 16).replace('T', ' ')} UTC`,
    `step took ${formatDuration(report.durationMs)}`,
  );
  return parts.join(' · ');
}

/** What to do now, when the run did not end well; null when there is nothing to do. */
function nextStep(report: SummaryReport): string | null {
  const { settings, result, uploadId } = report;
  if (!settings) return 'fix the inputs listed above and re-run the job.';
  const outcome = result?.outcome ?? null;
  if (outcome === 'timed-out' && uploadId && settings.command !== 'test-webhook') {
    const input = settings.provider === 'streampixel' ? 'upload-id' : 'subject';
    return (
      `the ${UNIT_OF_WORK[settings.provider]} may still finish. Follow it with \`command: wait\` and ` +
      `\`${input}: ${markdownText(uploadId)}\` (a rerun of this job would start a new one).`
    );
  }
  if (outcome === 'timed-out') return 'check the webhook URL in the provider\u2019s dashboard, then re-run.';
  if (outcome === 'rejected') return 'fix the build as the objection says, then release it again.';
  if (outcome === 'failed' || outcome === 'cancelled') return 'see the reason above; nothing was released.';
  if (outcome !== null || !(result?.failure ?? report.error)) return null;
  const message = result?.failure ?? report.error ?? '';
  if (/not handed off/.test(message) && uploadId) {
    return (
      `the build is on its way, but nothing follows it: follow it with \`command: wait\` and ` +
      `\`upload-id: ${markdownText(uploadId)}\`, or fix the handoff as the message says.`
    );
  }
  if (/id-token: write/.test(message)) {
    return 'nothing was sent: add `permissions: id-token: write` to the job, then re-run.';
  }
  if (/may have reached Streampixel|Upload outcome unknown/.test(message)) {
    return 'look for a new build of this project in the Streampixel dashboard before re-running.';
  }
  if (/bridge-token|bridge-url|release bridge/.test(message)) {
    return 'nothing was sent: fix `bridge-url` / `bridge-token` (or start the bridge), then re-run.';
  }
  if (/api-key|user-id/.test(message)) return 'fix `api-key` / `user-id`, then re-run.';
  return 'see the message above, then re-run.';
}

function inputsRefused(report: SummaryReport): string {
  const problems = (report.error ?? '').split('\n').slice(1);
  return [
    '## Streampixel Release: inputs refused',
    '',
    '**Outcome:** ❌ Nothing was run',
    '',
    ...problems.map((problem) => `- ${markdownText(problem.replace(/^- /, ''), 500)}`),
    '',
    `**Next step:** ${nextStep(report)}`,
    '',
    footer(report),
    '',
  ].join('\n');
}
