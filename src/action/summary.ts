import type { Command, Outcome, TimelineEntry } from '../wait/types.ts';
import { UNIT_OF_WORK, type ProviderId } from '../webhooks/event.ts';
import { formatTimeOfDay } from '../wait/format.ts';
import { MAX_OBJECTION_CHARS, markdownText } from '../webhooks/display-text.ts';

export interface SummaryReport {
  command: Command;
  provider: ProviderId;
  projectId: string;
  uploadId: string | null;
  outcome: Outcome | null;
  /** The failure sentence, when the step failed or would have without fail-on-* set to false. */
  message: string | null;
  objection: string | null;
  timeline: readonly TimelineEntry[];
  shareUrl: string;
  durationMs: number;
}

const OUTCOME_LINE: Record<Outcome, string> = {
  approved: '✅ Approved: the build is live',
  rejected: '❌ Rejected',
  'timed-out': '⏱️ Timed out waiting for the outcome',
  submitted: '📤 Submitted: not waiting for the outcome',
  processed: '📦 Processed: staged for a later Distribute',
  'test-delivered': '✅ Test webhook delivered',
  succeeded: '✅ Succeeded',
  failed: '❌ Failed',
  cancelled: '⏹️ Cancelled',
};

// Webhook and API text ends up in the summary: as character references it renders as itself, never as a
// link, an image, emphasis, a table cell break or HTML.
const cell = (text: string): string => markdownText(text);
const code = (text: string): string => `<code>${markdownText(text)}</code>`;

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Rows in the order Streampixel stamped them, each with the time until the next stage began. */
export function timelineRows(timeline: readonly TimelineEntry[]): string[][] {
  const sorted = [...timeline].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  return sorted.map((entry, index) => {
    const next = sorted[index + 1];
    const spent = next ? formatDuration(Date.parse(next.timestamp) - Date.parse(entry.timestamp)) : '—';
    return [entry.event, entry.status, formatTimeOfDay(entry.timestamp), spent];
  });
}

/** The job summary in GitHub-flavoured Markdown. */
export function renderSummary(report: SummaryReport): string {
  const streampixel = report.provider === 'streampixel';
  const unit = UNIT_OF_WORK[report.provider];
  const title = streampixel ? `Streampixel ${report.command}` : `Wait for a ${unit}`;
  const lines = [`## ${title}: ${report.uploadId ? `${unit} ${code(report.uploadId)}` : 'no build'}`, ''];
  lines.push(`**Outcome:** ${report.outcome ? OUTCOME_LINE[report.outcome] : '❌ Failed'}`, '');
  // A rejection's message only repeats the objection: show the objection once.
  if (report.objection)
    lines.push(`**Objection:** ${markdownText(report.objection, MAX_OBJECTION_CHARS)}`, '');
  else if (report.message) lines.push(`> ${markdownText(report.message, MAX_OBJECTION_CHARS)}`, '');
  if (report.timeline.length > 0) {
    lines.push('| Stage | Status | Time (UTC) | Time in stage |', '| --- | --- | --- | --- |');
    for (const row of timelineRows(report.timeline)) lines.push(`| ${row.map(cell).join(' | ')} |`);
    lines.push('');
  } else {
    lines.push(`_No event of this ${unit} was received._`, '');
  }
  const footer = [`step took ${formatDuration(report.durationMs)}`];
  if (streampixel) {
    // The share link only once the build is live: before that it shows the previous build, or nothing.
    if (report.outcome === 'approved') footer.unshift(`[share link](${report.shareUrl})`);
    footer.unshift(`Project ${code(report.projectId)}`);
  }
  lines.push(footer.join(' · '), '');
  return lines.join('\n');
}
