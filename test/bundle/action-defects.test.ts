import { describe, it } from 'vitest';
import { freePort } from '../../scripts/free-port.ts';
import {
  annotationOf,
  startMatrixWorld,
  WAIT_PATHS,
  type MatrixWorld,
  type WaitPath,
} from '../support/matrix-world.ts';
import { BRIDGE_TOKENS } from '../support/secrets.ts';
import type { Envelope, Intercept } from '../support/webhook-relay.ts';

// Issue 6, "The action: defects to fix", through the built action as a runner runs it. Against the bundle
// committed before the fixes (MATRIX_ACTION_BUNDLE=<its index.js>) every case fails but the two `event`
// injections, which that bundle already only logged through core.debug (escaped); they stay as guards.

const OBJECTION = 'Archive is not a Windows build';
const SHORT_DEADLINE = { 'timeout-minutes': '0.15' };

describe.concurrent('(a) an upload-id input that does not fit the command', () => {
  it.for(['release', 'upload', 'test-webhook'])(
    'command %s with upload-id: an input problem, nothing sent to Streampixel',
    async (command, { expect, onTestFinished }) => {
      const world = await startMatrixWorld({ via: 'receiver', onFinished: onTestFinished });
      const run = await world.run({ command, 'upload-id': 'an-older-build-0001' });

      expect(run.exitCode, run.stdout).toBe(1);
      expect(annotationOf(run)).toMatch(/^::error::The action's inputs have \d+ problems?:.*upload-id/);
      expect(world.calls()).toEqual([]);
      expect(run.outputs.outcome).toBeUndefined();
    },
  );
});

describe.concurrent('(b) pre-flight: a bridge that cannot serve this run is found before the upload', () => {
  const cases: Array<[string, (world: MatrixWorld) => Promise<Record<string, string>>, RegExp]> = [
    ['a wrong bridge-token', async () => ({ 'bridge-token': BRIDGE_TOKENS.wrongRead }), /bridge-token/],
    [
      'an unreachable bridge-url',
      async () => ({ 'bridge-url': `http://127.0.0.1:${await freePort()}`, ...SHORT_DEADLINE }),
      /bridge/i,
    ],
    [
      'a bridge-url that is not the bridge',
      async (world) => ({ 'bridge-url': world.simulator.url, ...SHORT_DEADLINE }),
      /bridge-url/,
    ],
  ];
  it.for(cases)(
    '%s: fails with no call to Streampixel',
    async ([, patch, names], { expect, onTestFinished }) => {
      const world = await startMatrixWorld({ via: 'bridge', onFinished: onTestFinished });
      const run = await world.run(await patch(world));

      expect(world.calls(), 'no upload: a misconfigured run must not leave a build behind').toEqual([]);
      expect(world.builds()).toEqual([]);
      expect(run.exitCode, run.stdout).toBe(1);
      expect(annotationOf(run)).toMatch(names);
    },
  );
});

/** Lines a runner would execute as workflow commands: only the action's own kinds, none forged. */
function forgedCommands(stdout: string): string[] {
  const own = /^::(add-mask|group|endgroup|error|warning|notice|debug)::/;
  return stdout
    .split(/\r?\n/)
    .filter((line) => line.startsWith('::'))
    .filter((line) => !own.test(line) || /^::error::x\b/.test(line) || /^::set-output\b/.test(line));
}

const PAYLOADS = ['\n::set-output name=outcome::approved', '\n::error::x'];
const FIELDS = ['status', 'event'] as const;

/** Sends a hostile copy of build.downloading (same uploadId, event and timestamp) ahead of the real one. */
const hostileCopy =
  (field: (typeof FIELDS)[number], payload: string): Intercept =>
  async (envelope: Envelope, post) => {
    if (envelope.event !== 'build.downloading') return;
    await post({ ...envelope, [field]: `${String(envelope[field])}${payload}` });
  };

describe.concurrent.each(WAIT_PATHS)(
  '(c) webhook fields that hold workflow commands, through the %s',
  (via: WaitPath) => {
    const cases = FIELDS.flatMap((field) => PAYLOADS.map((payload) => [field, payload] as const));
    it.for(cases)(
      '%s + %j: no forged command in the log, truthful outputs',
      async ([field, payload], { expect, onTestFinished }) => {
        const world = await startMatrixWorld({
          via,
          onFinished: onTestFinished,
          scenario: { rejectAt: { event: 'build.distributing', objection: OBJECTION } },
          intercept: hostileCopy(field, payload),
        });
        const run = await world.run(SHORT_DEADLINE);

        expect(forgedCommands(run.stdout)).toEqual([]);
        expect(run.outputs, run.stdout).toMatchObject({ outcome: 'rejected', objection: OBJECTION });
        expect(run.exitCode).toBe(1);
      },
    );
  },
);

describe.concurrent.each(WAIT_PATHS)('(d) a long objection, through the %s', (via: WaitPath) => {
  it('a build.rejected with a 20,000-character objection still ends as rejected', async ({
    expect,
    onTestFinished,
  }) => {
    const objection = `${OBJECTION}: ${'missing file '.repeat(2_000)}`.slice(0, 20_000);
    const world = await startMatrixWorld({
      via,
      onFinished: onTestFinished,
      scenario: { rejectAt: { event: 'build.saving', objection } },
    });
    const run = await world.run(SHORT_DEADLINE);

    expect(world.simulator.deliveries.find((d) => d.envelope.event === 'build.rejected')?.status).toBe(200);
    expect(run.outputs.outcome, run.stdout).toBe('rejected');
    expect(run.outputs.objection?.startsWith(objection.slice(0, 200))).toBe(true);
    expect(annotationOf(run)).toMatch(new RegExp(`^::error::Streampixel rejected build \\S+: ${OBJECTION}`));
    expect(run.exitCode).toBe(1);
  });
});
