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
    provider: 'streampixel' as const,
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
    const text = decodeReferences(markdown);
    expect(text).toContain('## Streampixel release: build <code>up-1</code>');
    expect(markdown).toContain('**Outcome:** ❌ Rejected');
    expect(text).toContain('| build.downloading | Downloading Files | 13:00:05Z | 3 min 05 s |');
    expect(markdown).toContain('step took 4 min 10 s');
  });

  it('shows the share link only once the build is live', () => {
    expect(renderSummary(report)).not.toContain('share link');
    const live = renderSummary({ ...report, outcome: 'approved', objection: null, message: null });
    expect(live).toContain('[share link](https://share.streampixel.io/proj-1)');
  });

  it("names another provider's unit of work, with no Streampixel project or link", () => {
    const markdown = decodeReferences(
      renderSummary({
        ...report,
        provider: 'buildpixel',
        command: 'wait',
        outcome: 'succeeded',
        objection: null,
        message: null,
      }),
    );
    expect(markdown).toContain('## Wait for a BuildPixel build: BuildPixel build <code>up-1</code>');
    expect(markdown).toContain('**Outcome:** ✅ Succeeded');
    expect(markdown).not.toMatch(/Project|share link/);
  });

  it('escapes webhook text so it cannot inject HTML or break the table', () => {
    const markdown = renderSummary(report);
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain(
      '**Objection:** &#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62; &#124; bad',
    );
  });

  it('shows the objection once', () => {
    const markdown = decodeReferences(renderSummary(report));
    expect(markdown.split('alert(1)')).toHaveLength(2);
  });

  it('renders no Markdown or HTML from outside text: links, images, emphasis, autolinks, breaks', () => {
    const hostile =
      '[click](https://evil.example) ![x](https://evil.example/p.png) **b** _i_ www.evil.example `c` <b>x</b>\n# h';
    const markdown = renderSummary({
      ...report,
      objection: hostile,
      message: `rejected: ${hostile}`,
      uploadId: '`up` <i>1</i>',
      timeline: [entry('build.saving', hostile, '2026-11-24T13:03:10Z')],
    });
    const fromOutside = markdown.split('\n').filter((line) => line.includes('evil') || line.includes('up'));
    expect(fromOutside.length).toBeGreaterThanOrEqual(3);
    for (const line of fromOutside) {
      // Our own markup around the outside text: a bold label, table pipes, the share link.
      const own = line.replace(/^\*\*Objection:\*\* /, '').replace(/\[share link\]\([^)]*\)/, '');
      expect(own).not.toMatch(/[[\]()*_`!]|<(?!\/?code>)|www\.|https:/);
    }
    expect(decodeReferences(markdown)).toContain(hostile.replace('\n', '\\n'));
  });

  it('says so when no event arrived', () => {
    const markdown = renderSummary({ ...report, outcome: 'timed-out', objection: null, timeline: [] });
    expect(markdown).toContain('_No event of this build was received._');
    expect(markdown).toContain('**Outcome:** ⏱️ Timed out');
  });
});

/** What a Markdown renderer shows for numeric character references. */
function decodeReferences(markdown: string): string {
  return markdown.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
