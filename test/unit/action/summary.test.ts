import { describe, expect, it } from 'vitest';
import { ganttChart, renderSummary, timelineRows } from '../../../src/action/summary.ts';
import type { Settings } from '../../../src/release/inputs.ts';
import { formatDuration } from '../../../src/wait/format.ts';
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

const baseSettings: Settings = {
  command: 'release',
  apiKey: 'k',
  userId: 'u',
  projectId: 'proj-1',
  fileUrl: 'https://builds.example/game.zip',
  uploadId: null,
  autoRelease: false,
  waitVia: 'bridge',
  bridgeUrl: 'https://bridge.example',
  bridgeToken: 't',
  receiverPort: 8080,
  receiverPath: '/',
  timeoutMs: 45 * 60_000,
  failOnRejected: true,
  failOnTimeout: true,
  apiBaseUrl: 'https://api.example',
  provider: 'streampixel',
  subject: null,
  webhookSecret: null,
  environment: null,
  environmentUrl: null,
  githubToken: null,
  notify: null,
  notifyInputs: null,
  dispatchOnOutcome: false,
};

describe('renderSummary', () => {
  const settings = (patch: Partial<Settings> = {}): Settings => ({ ...baseSettings, ...patch });
  const report = {
    settings: settings(),
    uploadId: 'up-1',
    result: {
      outcome: 'rejected' as const,
      failure: 'Streampixel rejected build up-1: <script>alert(1)</script> | bad',
      objection: '<script>alert(1)</script> | bad',
    },
    error: null,
    timeline,
    durationMs: 250_000,
    context: {
      commit: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
      commitUrl: 'https://github.com/o/r/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
      runUrl: null,
      date: '2026-11-24T13:10:00.000Z',
    },
  };
  const approved = { ...report, result: { outcome: 'approved' as const, failure: null, objection: null } };

  it('shows the outcome first, then a Gantt chart above the timeline, then commit and date', () => {
    const markdown = renderSummary(report);
    const text = decodeReferences(markdown);
    expect(text).toContain('## Streampixel release: build <code>up-1</code>');
    expect(markdown.indexOf('**Outcome:** ❌ Rejected')).toBeLessThan(markdown.indexOf('```mermaid'));
    expect(markdown.indexOf('```mermaid')).toBeLessThan(markdown.indexOf('| Stage |'));
    expect(text).toContain('| build.downloading | Downloading Files | 13:00:05Z | 3 min 05 s |');
    expect(text).toContain(
      'commit [<code>9f8e7d6</code>](https://github.com/o/r/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432)',
    );
    expect(markdown).toContain('2026-11-24 13:10 UTC · step took 4 min 10 s');
  });

  it('charts each stage from its timestamp to the next one', () => {
    expect(ganttChart(timeline)).toEqual([
      '```mermaid',
      'gantt',
      '  dateFormat x',
      '  axisFormat %H:%M:%S',
      '  section Stages',
      `  build.uploaded : s0, ${Date.parse('2026-11-24T13:00:00Z')}, ${Date.parse('2026-11-24T13:00:05Z')}`,
      `  build.downloading : s1, ${Date.parse('2026-11-24T13:00:05Z')}, ${Date.parse('2026-11-24T13:03:10Z')}`,
      `  build.saving : s2, ${Date.parse('2026-11-24T13:03:10Z')}, ${Date.parse('2026-11-24T13:04:10Z')}`,
      `  build.rejected : s3, ${Date.parse('2026-11-24T13:04:10Z')}, ${Date.parse('2026-11-24T13:04:11Z')}`,
      '```',
    ]);
    expect(ganttChart([entry('x:y\n#z', 's', '2026-11-24T13:00:00Z')])[5]).toMatch(/^ {2}x_y__z : s0, /);
  });

  it('shows the share link only once the build is live', () => {
    expect(renderSummary(report)).not.toContain('share link');
    expect(renderSummary(approved)).toContain('[share link](https://share.streampixel.io/proj-1)');
    expect(renderSummary(approved)).not.toContain('Next step');
  });

  it('escapes webhook text so it cannot inject HTML or break the table', () => {
    const markdown = renderSummary(report);
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain(
      '**Objection:** &#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62; &#124; bad',
    );
  });

  it('shows the objection once, and what to do next', () => {
    const markdown = decodeReferences(renderSummary(report));
    expect(markdown.split('alert(1)')).toHaveLength(2);
    expect(markdown).toContain('**Next step:** fix the build as the objection says');
  });

  it('says how to follow a build that timed out', () => {
    const markdown = renderSummary({
      ...report,
      result: { outcome: 'timed-out', failure: 'No outcome for build up-1 after 45 min', objection: null },
    });
    expect(decodeReferences(markdown)).toContain('Follow it with `command: wait` and `upload-id: up-1`');
  });

  it('says nothing was sent when pre-flight failed, and to fix the token', () => {
    const markdown = renderSummary({
      ...report,
      uploadId: null,
      timeline: [],
      result: null,
      error: '401 from the release bridge: check bridge-token',
    });
    expect(markdown).toContain('**Outcome:** ❌ Failed');
    expect(markdown).toContain('**Next step:** nothing was sent: fix `bridge-url` / `bridge-token`');
  });

  it('writes a card for the webhook check without build wording', () => {
    const markdown = renderSummary({
      ...report,
      settings: settings({ command: 'test-webhook', fileUrl: null }),
      uploadId: null,
      timeline: [],
      result: { outcome: 'test-delivered', failure: null, objection: null },
    });
    expect(markdown).toContain('## Streampixel webhook check');
    expect(markdown).toContain('**Outcome:** ✅ Test webhook delivered');
    expect(markdown).not.toMatch(/build/i);
  });

  it('writes a summary even when the inputs were refused', () => {
    const markdown = renderSummary({
      ...report,
      settings: null,
      uploadId: null,
      timeline: [],
      result: null,
      error: "The action's inputs have 2 problems:\n- file-url: is required\n- bridge-token: is required",
    });
    expect(markdown).toContain('## Streampixel Release: inputs refused');
    expect(decodeReferences(markdown)).toContain('- file-url: is required');
    expect(markdown).toContain('**Next step:** fix the inputs listed above');
  });

  it('says so when no event arrived', () => {
    const markdown = renderSummary({
      ...report,
      timeline: [],
      result: { outcome: 'timed-out', failure: 'x', objection: null },
    });
    expect(markdown).toContain('_No event of this build was received._');
    expect(markdown).toContain('**Outcome:** ⏱️ Timed out');
  });

  it("names another provider's unit of work, with no Streampixel project or link", () => {
    const markdown = decodeReferences(
      renderSummary({
        ...approved,
        settings: settings({ provider: 'buildpixel', command: 'wait', subject: 'up-1' }),
        result: { outcome: 'succeeded', failure: null, objection: null },
      }),
    );
    expect(markdown).toContain('## Wait for a BuildPixel build: <code>up-1</code>');
    expect(markdown).toContain('**Outcome:** ✅ Succeeded');
    expect(markdown).not.toMatch(/Project|share link/);
  });

  it('renders no Markdown or HTML from outside text: links, images, emphasis, autolinks, breaks', () => {
    const hostile =
      '[click](https://evil.example) ![x](https://evil.example/p.png) **b** _i_ www.evil.example `c` <b>x</b>\n# h';
    const markdown = renderSummary({
      ...report,
      result: { outcome: 'rejected', failure: `rejected: ${hostile}`, objection: hostile },
      uploadId: '`up` <i>1</i>',
      timeline: [entry('build.saving', hostile, '2026-11-24T13:03:10Z')],
    });
    const fromOutside = markdown.split('\n').filter((line) => line.includes('evil') || line.includes('up'));
    expect(fromOutside.length).toBeGreaterThanOrEqual(3);
    for (const line of fromOutside) {
      const own = line.replace(/^\*\*Objection:\*\* /, '').replace(/^<code>|<\/code>/g, '');
      expect(own).not.toMatch(/[[\]()*_`!]|<(?!\/?code>)|www\.|https:/);
    }
    expect(decodeReferences(markdown)).toContain(hostile.replace('\n', '\\n'));
  });
});

describe('issue 9: a handed-off release', () => {
  const settings = (patch: Partial<Settings> = {}): Settings => ({
    ...baseSettings,
    waitVia: 'handoff',
    autoRelease: true,
    environment: 'production',
    ...patch,
  });
  const handedOff = (patch: Partial<Settings> = {}, deploymentId: number | null = 1001) =>
    decodeReferences(
      renderSummary({
        settings: settings(patch),
        uploadId: 'up-1',
        result: { outcome: 'handed-off', failure: null, objection: null },
        error: null,
        timeline: [],
        durationMs: 4000,
        context: { commit: null, commitUrl: null, runUrl: null, date: '2026-11-24T13:10:00.000Z' },
        handoff: {
          id: 'h-42',
          statusUrl: 'https://bridge.example/v1/handoffs/h-42',
          deploymentId,
        },
      }),
    );

  it('says where the outcome will appear: the Deployment, the bridge, and how a job can follow it', () => {
    const markdown = handedOff();
    expect(markdown).toContain('**Outcome:** 🤝 Handed off: the release bridge follows the build');
    expect(markdown).toContain('The job ended once Streampixel accepted the upload.');
    expect(markdown).toContain(
      '- the status of GitHub Deployment <code>1001</code> to <code>production</code> (in_progress until then)',
    );
    expect(markdown).toContain(
      "- the bridge's handoff <code>h-42</code>: <code>GET https://bridge.example/v1/handoffs/h-42</code>",
    );
    expect(markdown).toContain('**To follow it in a job anyway:** `command: wait` with `upload-id: up-1`.');
    expect(markdown).not.toMatch(
      /No event of this build|Next step|share link|notification|repository_dispatch/,
    );
  });

  it('names the notification and the dispatch when asked for, and no Deployment when none was made', () => {
    const notify = {
      url: new URL('https://hooks.slack.com/services/T/B/x'),
      format: null,
      on: new Set(['rejected', 'approved'] as const),
    };
    const markdown = handedOff({ notify, dispatchOnOutcome: true, command: 'distribute' }, null);
    expect(markdown).toContain('accepted Distribute.');
    expect(markdown).toContain('- the notification to notify-url, for <code>rejected, approved</code>');
    expect(markdown).toContain('- a `streampixel-release` repository_dispatch event');
    expect(markdown).not.toContain('Deployment');
    expect(markdown).not.toContain('hooks.slack.com');
  });

  it('says what to do when the build was sent but not handed off', () => {
    const markdown = decodeReferences(
      renderSummary({
        settings: settings(),
        uploadId: 'up-1',
        result: null,
        error:
          'Streampixel accepted the upload of build up-1, but it was not handed off: the release bridge answered 503 for 30 s.',
        timeline: [],
        durationMs: 4000,
        context: { commit: null, commitUrl: null, runUrl: null, date: '2026-11-24T13:10:00.000Z' },
      }),
    );
    expect(markdown).toContain('**Outcome:** ❌ Failed');
    expect(markdown).toContain(
      '**Next step:** the build is on its way, but nothing follows it: follow it with `command: wait` and `upload-id: up-1`',
    );
  });
});

/** What a Markdown renderer shows for numeric character references. */
function decodeReferences(markdown: string): string {
  return markdown.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
