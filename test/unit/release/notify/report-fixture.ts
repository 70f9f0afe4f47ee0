import type { ReleaseReport } from '../../../../src/release/notify/report.ts';

/** A rejected Streampixel release whose outside text tries every trick a chat format could fall for. */
export const HOSTILE_OBJECTION =
  'Bad zip <!channel> <!here> @everyone @here <@123456> <https://evil.example|click> **bold** _x_ ~y~ `code` ' +
  '[link](https://evil.example) # heading & more > quote\nsecond line\u202e';

export function reportFor(overrides: Partial<ReleaseReport> = {}): ReleaseReport {
  return {
    provider: 'streampixel',
    command: 'release',
    projectId: 'proj_<b>1',
    subject: 'upload_@everyone',
    outcome: 'rejected',
    detail: HOSTILE_OBJECTION,
    shareUrl: null,
    runUrl: 'https://github.com/studio/game/actions/runs/42',
    repository: 'studio/game',
    commit: '0123456789abcdef0123456789abcdef01234567',
    ...overrides,
  };
}
