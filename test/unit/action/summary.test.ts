import { describe, expect, it } from 'vitest';
import { formatDuration, renderSummary, timelineRows } from '../../../src/action/summary.ts';
import type { TimelineEntry } from '../../../src/wait/types.ts';

const entry = (event: string, status: string, timestamp: string): TimelineEntry => ({
  event,
  status,
  timestamp,
  receivedAt: timestamp,
});

const timeline = [
  entry('build.uploaded', 'pending', '2026-11-24T13:00:00Z'),
  entry('build.saving', 'Saving to Repository', '2026-11-24T13:03:10Z'),
  // Arrived out of order: the table still follows Streampixel's timestamps.
  entry('build.downloading', 'Downloading Files', '2026-11-24T13:00:05Z'),
  entry('build.rejected', 'Reject', '2026-11-24T13:04:10Z'),
];

describe('timelineRows', () => {
  it('orders by timestamp and gives the time spent in each stage', () => {
    expect(timelineRows(timeline)).toEqual([
      ['build.uploaded', 'pending', '13:00:00Z', '5 s'],
      ['build.downloading', 'Downloading Files', '13:00:05Z', '3 min 05 s'],
      ['build.saving', 'Saving to Repository', '13:03:10Z', '1 min 00 s'],
      ['build.rejected', 'Reject', '13:04:10Z', '—'],
    ]);
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250 ms'],
    [59_400, '59 s'],
    [61_000, '1 min 01 s'],
  ])('%i ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('renderSummary', () => {
  const report = {
    command: 'release' as const,
    projectId: 'proj-1',
    uploadId: 'up-1',
    outcome: 'rejected' as const,
    message: 'Streampixel rejected build up-1: <script>alert(1)</script> | bad',
    objection: '<script>alert(1)</script> | bad',
    timeline,
    shareUrl: 'https://share.streampixel.io/proj-1',
    durationMs: 250_000,
  };

  it('shows the outcome, the objection, the timeline and the share link', () => {
    const markdown = renderSummary(report);
    expect(markdown).toContain('## Streampixel release: build `up-1`');
    expect(markdown).toContain('**Outcome:** ❌ Rejected');
    expect(markdown).toContain('| build.downloading | Downloading Files | 13:00:05Z | 3 min 05 s |');
    expect(markdown).toContain('[share link](https://share.streampixel.io/proj-1)');
    expect(markdown).toContain('step took 4 min 10 s');
  });

  it('escapes webhook text so it cannot inject HTML or break the table', () => {
    const markdown = renderSummary(report);
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('**Objection:** &lt;script&gt;alert(1)&lt;/script&gt; \\| bad');
  });

  it('says so when no event arrived', () => {
    const markdown = renderSummary({ ...report, outcome: 'timed-out', objection: null, timeline: [] });
    expect(markdown).toContain('_No event of this build was received._');
    expect(markdown).toContain('**Outcome:** ⏱️ Timed out');
  });
});
