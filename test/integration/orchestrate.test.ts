import { PIPELINE_EVENTS } from '../../src/streampixel/schemas.ts';
import { describe, expect, it } from 'vitest';
import { ERROR_CODE, ReleaseError } from '../../src/streampixel/errors.ts';
import { buildOf } from '../../src/wait/release-machine.ts';
import { API_KEYS } from '../support/secrets.ts';
import { API_KEY, PROJECT_ID, RECEIVER_PATH, startWorld } from '../support/world.ts';

// The orchestrator against the simulator through the short-lived receiver: real loopback servers, with
// both sides on a clock where two minutes last 120 ms.

const endpoints = (calls: Array<{ endpoint: string | null; status: number }>) =>
  calls.map((call) => `${call.endpoint} ${call.status}`);

describe('release through the receiver', () => {
  it('uploads, distributes once processed and finishes approved', async () => {
    const world = await startWorld();
    const { result, uploadIds, events, state } = await world.release();

    expect(result).toEqual({ outcome: 'approved', failure: null, objection: null });
    expect(uploadIds).toHaveLength(1);
    expect(endpoints(world.simulator.calls)).toEqual(['upload-file 200', 'distribute-file 200']);
    expect(world.simulator.calls[0]!.body).toMatchObject({ autoRelease: false, projectId: 'proj-1' });
    expect(events.map((e) => e.event)).toEqual([...PIPELINE_EVENTS]);
    expect(buildOf(state)).toBe(uploadIds[0]);
  });

  it('fails a rejected build with its objection', async () => {
    const world = await startWorld({
      scenario: { rejectAt: { event: 'build.extracting', objection: 'No .exe found in the archive' } },
    });
    const { result, uploadIds, events } = await world.release();
    expect(result).toEqual({
      outcome: 'rejected',
      failure: `Streampixel rejected build ${uploadIds[0]}: No .exe found in the archive`,
      objection: 'No .exe found in the archive',
    });
    expect(events.at(-1)).toMatchObject({ event: 'build.rejected', status: 'Reject' });
    expect(world.simulator.calls.map((c) => c.endpoint)).toEqual(['upload-file']);
  });

  it('with auto-release true, never calls Distribute', async () => {
    const world = await startWorld();
    const { result } = await world.release({ autoRelease: true });
    expect(result.outcome).toBe('approved');
    expect(endpoints(world.simulator.calls)).toEqual(['upload-file 200']);
    expect(world.simulator.calls[0]!.body).toMatchObject({ autoRelease: true });
  });

  it('with stage events unticked, tries Distribute blind: a 400 while processing, then accepted', async () => {
    const world = await startWorld({
      eventFilter: ['build.approved', 'build.rejected'],
      stageDelaysMs: { 'build.extracting': 150_000 },
    });
    const { result } = await world.release();
    expect(result.outcome).toBe('approved');
    expect(endpoints(world.simulator.calls)).toEqual([
      'upload-file 200',
      'distribute-file 400',
      'distribute-file 200',
    ]);
    const [, early, accepted] = world.simulator.calls;
    // Spaced by the rate-limit window: never a 429.
    expect(accepted!.at - early!.at).toBeGreaterThanOrEqual(115);
  });

  it('waits out a 429 for as long as Retry-After says, then uploads', async () => {
    const world = await startWorld({
      scenario: { apiFailures: [{ endpoint: 'upload-file', status: 429, retryAfterSeconds: 30 }] },
    });
    const { result, logger } = await world.release();
    expect(result.outcome).toBe('approved');
    const [refused, accepted] = world.simulator.calls;
    expect(endpoints([refused!, accepted!])).toEqual(['upload-file 429', 'upload-file 200']);
    // 30 simulated seconds = 30 real ms; well under the 120 s default.
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(28);
    expect(accepted!.at - refused!.at).toBeLessThan(110);
    expect(logger.lines.join('\n')).toContain('next upload attempt in 30 s');
  });

  it('ignores duplicates, unknown events, webhook.test, other builds and other projects', async () => {
    const world = await startWorld({ scenario: { duplicate: 'all', extraEvents: 'noise' } });
    const { result, events } = await world.release();
    expect(result.outcome).toBe('approved');
    const noise = world.simulator.deliveries.filter((d) => d.source === 'noise');
    expect(noise.length).toBeGreaterThan(0);
    expect(events.map((e) => e.event)).toEqual([...PIPELINE_EVENTS]);
    expect(endpoints(world.simulator.calls)).toEqual(['upload-file 200', 'distribute-file 200']);
  });

  it('matches build.uploaded that arrived before the upload call answered', async () => {
    const world = await startWorld({ scenario: { uploadedBeforeResponse: true } });
    const { result, events } = await world.release();
    expect(result.outcome).toBe('approved');
    const uploaded = world.simulator.deliveries.find((d) => d.envelope.event === 'build.uploaded')!;
    expect(uploaded.at).toBeLessThan(world.simulator.calls[0]!.at);
    expect(events[0]!.event).toBe('build.uploaded');
  });

  it('times out naming the last stage when the terminal event is dropped', async () => {
    const world = await startWorld({ scenario: { drop: ['build.approved'] } });
    const { result, uploadIds } = await world.release({ timeoutMs: 10 * 60_000 });
    expect(result.outcome).toBe('timed-out');
    expect(result.failure).toMatch(
      new RegExp(
        `^No outcome for build ${uploadIds[0]} after 10 min; last stage: build\\.distributing at \\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    );
  });

  it('stops at submitted with wait-via none', async () => {
    const world = await startWorld();
    const { result } = await world.release({ waitVia: 'none' });
    expect(result.outcome).toBe('submitted');
    expect(endpoints(world.simulator.calls)).toEqual(['upload-file 200']);
  });

  it('with command upload, stages the build and ends processed', async () => {
    const world = await startWorld();
    const { result } = await world.release({ command: 'upload', autoRelease: true });
    expect(result.outcome).toBe('processed');
    expect(world.simulator.calls[0]!.body).toMatchObject({ autoRelease: false });
  });

  it('distributes an existing build and waits for the new approval only', async () => {
    const world = await startWorld();
    const first = await world.release({ autoRelease: true });
    const uploadId = first.uploadIds[0]!;
    const rollback = await world.release({ command: 'distribute', uploadId, fileUrl: null });
    expect(rollback.result.outcome).toBe('approved');
    expect(rollback.events.map((e) => e.event)).toEqual(['build.distributing', 'build.approved']);
    expect(rollback.events[1]!.timestamp > first.events.at(-1)!.timestamp).toBe(true);
  });

  it('ends at once when Streampixel refuses to distribute a rejected build (a 400 that waiting will not fix)', async () => {
    const world = await startWorld({
      scenario: { rejectAt: { event: 'build.distributing', objection: 'bad' } },
    });
    const first = await world.release();
    expect(first.result.outcome).toBe('rejected');
    const error = await world
      .release({ command: 'distribute', uploadId: first.uploadIds[0]!, fileUrl: null })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseError);
    expect((error as ReleaseError).message).toBe(
      `400 from Streampixel on distribute-file: Build ${first.uploadIds[0]} was rejected and cannot be distributed`,
    );
  });

  it('ends on a 401 with an actionable message that holds no secret', async () => {
    const world = await startWorld();
    const error = await world.release({ apiKey: API_KEYS.orchestrateWrong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseError);
    expect((error as ReleaseError).code).toBe(ERROR_CODE.unauthorized);
    expect((error as ReleaseError).message).toMatch(/^401 from Streampixel: check api-key and user-id/);
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toMatch(
      /sk-wrong-key|presigned-secret/,
    );
  });

  it('confirms the test webhook reached the receiver', async () => {
    const world = await startWorld();
    const { result } = await world.release({ command: 'test-webhook', fileUrl: null });
    expect(result.outcome).toBe('test-delivered');
    const delivery = await world.simulator.waitFor('delivery', (d) => d.source === 'test-webhook');
    expect(delivery.status).toBe(200);
  });

  it('never logs the api key or the presigned query string', async () => {
    const world = await startWorld({
      scenario: { apiFailures: [{ endpoint: 'distribute-file', status: 500 }] },
    });
    const { logger, result } = await world.release();
    expect(result.outcome).toBe('approved');
    expect(logger.lines.length).toBeGreaterThan(5);
    expect(logger.lines.join('\n')).not.toMatch(new RegExp(`${API_KEY}|presigned-secret`));
  });
});

describe('issue 6: attacks through the receiver', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('a late duplicate of an old approval does not end a rollback that Streampixel rejects', async () => {
    const world = await startWorld();
    const first = await world.release({ autoRelease: true });
    expect(first.result.outcome).toBe('approved');
    const uploadId = first.uploadIds[0]!;
    world.simulator.setScenario({ rejectAt: { event: 'build.distributing', objection: 'Region full' } });
    const receiverUrl = `http://127.0.0.1:${world.port}${RECEIVER_PATH}`;
    const replayed = world.simulator
      .waitFor('call', (call) => call.endpoint === 'distribute-file', { timeoutMs: 10_000 })
      .then(() =>
        post(receiverUrl, {
          event: 'build.approved',
          projectId: PROJECT_ID,
          uploadId,
          fileUrl: null,
          status: 'Approved',
          objection: null,
          // Stamped an hour before the rollback: the first release's approval, delivered again.
          timestamp: new Date(Date.now() - 60 * 60_000).toISOString(),
        }),
      );
    const rollback = await world.release({ command: 'distribute', uploadId, fileUrl: null });
    expect((await replayed).status).toBe(200);
    expect(rollback.result).toMatchObject({ outcome: 'rejected', objection: 'Region full' });
  });

  it('a 20,000-character objection reaches the job as a rejection', async () => {
    const objection = `Unsigned binary: ${'x'.repeat(20_000)}`;
    const world = await startWorld({ scenario: { rejectAt: { event: 'build.extracting', objection } } });
    const { result } = await world.release();
    expect(result.outcome).toBe('rejected');
    expect(result.objection).toMatch(/^Unsigned binary: x+… \(18017 more characters\)$/);
  });
});
