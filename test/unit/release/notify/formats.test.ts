import { describe, expect, it } from 'vitest';
import {
  buildNotificationBody,
  chooseFormat,
  formatForUrl,
  NOTIFY_FORMATS,
  parseNotifyFormat,
} from '../../../../src/release/notify/formats.ts';
import { NOTIFY_OUTCOMES, type ReleaseReport } from '../../../../src/release/notify/report.ts';
import { HOSTILE_OBJECTION, reportFor } from './report-fixture.ts';

type Json = Record<string, unknown>;
const body = (format: (typeof NOTIFY_FORMATS)[number], report: ReleaseReport) =>
  buildNotificationBody(format, report) as Json;
/** Every string anywhere in a body, for checks that must hold wherever outside text landed. */
const strings = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(strings)
      : value !== null && typeof value === 'object'
        ? Object.values(value).flatMap(strings)
        : [];

describe('formatForUrl: the kind comes from the host', () => {
  it.each([
    ['https://hooks.slack.com/services/T/B/x', 'slack'],
    ['https://HOOKS.SLACK.COM./services/T/B/x', 'slack'],
    ['https://hooks.slack-gov.com/services/T/B/x', 'slack'],
    ['https://discord.com/api/webhooks/1/x', 'discord'],
    ['https://canary.discord.com/api/webhooks/1/x', 'discord'],
    ['https://discordapp.com/api/webhooks/1/x', 'discord'],
    ['https://discord.com/api/webhooks/1/x/slack', 'slack'],
    ['https://studio.webhook.office.com/webhookb2/x', 'teams'],
    ['https://outlook.office.com/webhook/x', 'teams'],
    ['https://prod-12.westus.logic.azure.com:443/workflows/x', 'teams'],
    ['https://default1234.56.environment.api.powerplatform.com/powerautomate/x', 'teams'],
    ['https://example.com/hook', 'json'],
    ['https://hooks.slack.com.evil.example/services/x', 'json'],
    ['https://notdiscord.com/api/webhooks/1/x', 'json'],
    ['https://webhook.office.com.evil.example/x', 'json'],
  ])('%s → %s', (url, format) => {
    expect(formatForUrl(new URL(url))).toBe(format);
  });

  it('an explicit notify-format wins over the host', () => {
    expect(chooseFormat(new URL('https://hooks.slack.com/x'), 'json')).toBe('json');
    expect(chooseFormat(new URL('https://example.com/x'), 'teams')).toBe('teams');
    expect(chooseFormat(new URL('https://example.com/x'), null)).toBe('json');
  });
});

describe('parseNotifyFormat', () => {
  it.each([
    ['', null],
    ['  ', null],
    ['auto', null],
    ['Slack', 'slack'],
    [' discord ', 'discord'],
    ['teams', 'teams'],
    ['json', 'json'],
  ])('%j → %j', (text, value) => {
    expect(parseNotifyFormat(text)).toEqual({ ok: true, value });
  });

  it('names the choices for anything else', () => {
    expect(parseNotifyFormat('mattermost')).toEqual({
      ok: false,
      problems: [expect.stringContaining('slack, discord, teams, json')],
    });
  });
});

describe('Slack body', () => {
  const slack = body('slack', reportFor());
  const blocks = slack.blocks as Json[];

  it('has the fallback text and header, facts, objection and links blocks', () => {
    expect(slack.text).toMatch(/^❌ Streampixel release was rejected/);
    expect(blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '❌ Streampixel release was rejected', emoji: true },
    });
    const fields = (blocks[1]?.fields as Json[]).map((field) => field.text);
    expect(fields).toEqual([
      '*Project*\nproj_&lt;b&gt;1',
      '*Build*\nupload_@\u2060everyone',
      '*Repository*\nstudio/game',
      '*Commit*\n0123456789ab',
    ]);
    expect((blocks[2]?.text as Json).text).toMatch(/^\*Objection\*\nBad zip /);
    expect((blocks[3]?.elements as Json[])[0]?.text).toBe(
      '<https://github.com/studio/game/actions/runs/42|View the run>',
    );
  });

  it('escapes &, < and > so no <!channel>, <!here> or <link|label> can form, and breaks up @ mentions', () => {
    for (const text of strings(slack)) {
      expect(text).not.toMatch(/<!|<@|<https:\/\/evil/);
      expect(text).not.toMatch(/@(everyone|here|channel)/);
    }
    const objection = (blocks[2]?.text as Json).text as string;
    expect(objection).toContain('&lt;!channel&gt;');
    expect(objection).toContain('&lt;https://evil.example|click&gt;');
    expect(objection).toContain(' &amp; more &gt; quote');
    // One line: the newline and the bidi override are shown escaped, never acted on.
    expect(objection).toContain('quote\\nsecond line\\u202e');
  });

  it('shows the share link only when given, and leaves out what is unknown', () => {
    const live = body(
      'slack',
      reportFor({ outcome: 'approved', detail: null, shareUrl: 'https://share.streampixel.io/abc|x>y' }),
    );
    const liveBlocks = live.blocks as Json[];
    expect(liveBlocks.map((block) => block.type)).toEqual(['header', 'section', 'context']);
    expect((liveBlocks[2]?.elements as Json[])[0]?.text).toBe(
      '<https://share.streampixel.io/abc%7Cx%3Ey|Open the live build> · <https://github.com/studio/game/actions/runs/42|View the run>',
    );
    const bare = body(
      'slack',
      reportFor({
        projectId: null,
        subject: null,
        repository: null,
        commit: null,
        runUrl: null,
        detail: null,
      }),
    );
    expect((bare.blocks as Json[]).map((block) => block.type)).toEqual(['header']);
    expect(bare.text).toBe('❌ Streampixel release was rejected');
  });

  it('drops links that are not http(s)', () => {
    const sneaky = body(
      'slack',
      reportFor({ runUrl: 'javascript:alert(1)', shareUrl: 'https://u:p@x.example/' }),
    );
    expect((sneaky.blocks as Json[]).some((block) => block.type === 'context')).toBe(false);
  });
});

describe('Discord body', () => {
  const discord = body('discord', reportFor());
  const [embed] = discord.embeds as Json[];

  it('allows no mentions at all, and has content, colour, fields and the objection', () => {
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.content).toBe('❌ Streampixel release was rejected');
    expect(embed?.color).toBe(0xe01e5a);
    expect(embed?.url).toBe('https://github.com/studio/game/actions/runs/42');
    expect((embed?.fields as Json[]).map((field) => field.name)).toEqual([
      'Project',
      'Build',
      'Repository',
      'Commit',
    ]);
    expect(embed?.title).toBe('View the run');
    expect(embed?.description).toMatch(/^\*\*Objection\*\*\nBad zip /);
  });

  it('escapes Markdown and breaks up mentions and links in outside text', () => {
    const description = embed?.description as string;
    expect(description).toContain('\\*\\*bold\\*\\*');
    expect(description).toContain('\\_x\\_ \\~y\\~ \\`code\\`');
    expect(description).toContain('\\[link\\]\\(https\\://evil.example\\)');
    expect(description).toContain('\\<@\u2060123456\\>');
    for (const text of strings(discord)) expect(text).not.toMatch(/@(everyone|here)|<@\d/);
    const subject = (embed?.fields as Json[])[1]?.value;
    expect(subject).toBe('upload\\_@\u2060everyone');
  });

  it('links the live build when there is one', () => {
    const [live] = body('discord', reportFor({ outcome: 'approved', shareUrl: 'https://share.example/a(b)' }))
      .embeds as Json[];
    expect((live?.fields as Json[]).at(-1)).toEqual({
      name: 'Live build',
      value: '[Open the live build](https://share.example/a%28b%29)',
      inline: false,
    });
  });

  it('never sends an empty field value (Discord refuses them)', () => {
    const report = reportFor({ projectId: '', subject: '', repository: null, commit: null, runUrl: null });
    const [bare] = body('discord', report).embeds as Json[];
    expect(bare?.fields).toEqual([]);
  });
});

describe('Teams body', () => {
  const teams = body('teams', reportFor());
  const [attachment] = teams.attachments as Json[];
  const card = attachment?.content as Json;

  it('is an Adaptive Card in a message envelope, with facts, the objection and actions', () => {
    expect(teams.type).toBe('message');
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.4');
    const items = card.body as Json[];
    expect(items[0]).toMatchObject({
      type: 'TextBlock',
      text: '❌ Streampixel release was rejected',
      color: 'Attention',
    });
    expect(items[1]?.type).toBe('FactSet');
    expect((items[1]?.facts as Json[]).map((fact) => fact.title)).toEqual([
      'Project',
      'Build',
      'Repository',
      'Commit',
    ]);
    expect(items[2]).toMatchObject({ type: 'TextBlock', text: 'Objection' });
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'View the run',
        url: 'https://github.com/studio/game/actions/runs/42',
      },
    ]);
  });

  it('escapes Markdown and <at> in outside text', () => {
    const objection = ((card.body as Json[])[3]?.text as string) ?? '';
    expect(objection).toContain('\\*\\*bold\\*\\*');
    expect(objection).toContain('\\<\\!channel\\>');
    expect(objection).toContain('\\[link\\]\\(https\\://evil\\.example\\)');
    const withAt = body('teams', reportFor({ detail: '<at>Everyone</at>' }));
    expect(strings(withAt).join('\n')).not.toContain('<at>');
  });
});

describe('JSON body', () => {
  it('is the report itself, versioned, with the headline as text', () => {
    const json = body('json', reportFor());
    expect(json).toEqual({
      type: 'streampixel-release.outcome',
      version: 1,
      text: '❌ Streampixel release was rejected',
      provider: 'streampixel',
      command: 'release',
      outcome: 'rejected',
      projectId: 'proj_<b>1',
      subject: 'upload_@everyone',
      detail: HOSTILE_OBJECTION,
      shareUrl: null,
      runUrl: 'https://github.com/studio/game/actions/runs/42',
      repository: 'studio/game',
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
  });

  it('makes text well-formed (a lone surrogate becomes U+FFFD)', () => {
    expect(body('json', reportFor({ detail: 'a\ud800b' })).detail).toBe('a\ufffdb');
  });
});

describe('every format', () => {
  it('caps long outside text and says how much was left out', () => {
    const report = reportFor({ detail: '<'.repeat(50_000), subject: 'x'.repeat(5_000) });
    for (const format of NOTIFY_FORMATS) {
      const text = JSON.stringify(body(format, report));
      expect(text.length, format).toBeLessThan(16_000);
      expect(text, format).toMatch(/more characters\)/);
    }
    // Slack's escaped objection stays whole entities and inside Block Kit's 3000-character section limit.
    const objection = ((body('slack', report).blocks as Json[])[2]?.text as Json).text as string;
    expect(objection.length).toBeLessThanOrEqual(3000);
    expect(objection).toMatch(/(&lt;)+… \(\d+ more characters\)$/);
  });

  it('builds for every outcome, provider and the test-webhook command without build wording', () => {
    for (const format of NOTIFY_FORMATS)
      for (const outcome of NOTIFY_OUTCOMES) expect(() => body(format, reportFor({ outcome }))).not.toThrow();
    expect(body('json', reportFor({ provider: 'buildpixel', command: 'wait', outcome: 'failed' })).text).toBe(
      '❌ BuildPixel build failed',
    );
    expect(body('json', reportFor({ provider: 'fastpix', command: 'wait', outcome: 'succeeded' })).text).toBe(
      '✅ FastPix media succeeded',
    );
    const test = body('json', reportFor({ command: 'test-webhook', outcome: 'test-delivered' }))
      .text as string;
    expect(test).toBe('🔔 Streampixel test webhook was delivered');
    expect(body('json', reportFor({ outcome: 'approved' })).text).toBe('✅ Streampixel release is live');
    expect(body('json', reportFor({ outcome: 'timed-out' })).text).toBe(
      '⏱️ Streampixel release timed out waiting for an outcome',
    );
    const [field] = (body('discord', reportFor({ provider: 'pixop' })).embeds as Json[])[0]?.fields as Json[];
    expect(field?.name).toBe('Project');
    const names = (
      (body('discord', reportFor({ provider: 'pixop' })).embeds as Json[])[0]?.fields as Json[]
    ).map((entry) => entry.name);
    expect(names).toContain('Pixop video');
  });

  it('labels the detail as a reason when it is not an objection', () => {
    const teams = body('teams', reportFor({ outcome: 'timed-out', detail: 'no outcome in 45 minutes' }));
    const items = ((teams.attachments as Json[])[0]?.content as Json).body as Json[];
    expect(items[2]).toMatchObject({ text: 'Reason' });
  });
});
