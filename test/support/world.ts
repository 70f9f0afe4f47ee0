import { onTestFinished } from 'vitest';
import { planOf, type Settings } from '../../src/release/inputs.ts';
import { orchestrate, type OrchestratorDeps } from '../../src/release/orchestrate.ts';
import { eventSourceFor } from '../../src/release/event-sources.ts';
import { createScaledClock } from '../../src/lib/clock.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { createStreampixelClient } from '../../src/streampixel/client.ts';
import { startSimulator, type Scenario, type SimulatorOptions } from '../../src/simulator/index.ts';
import type { TimelineEntry } from '../../src/wait/types.ts';
import { freePort } from '../../scripts/free-port.ts';
import { API_KEYS, PRESIGNED_FILE_URLS, RECEIVER_PATHS } from './secrets.ts';

export const USER_ID = 'user-1';
export const API_KEY = API_KEYS.world;
export const PROJECT_ID = 'proj-1';
export const RECEIVER_PATH = RECEIVER_PATHS.world;

/** Real ms per simulated ms, shared by the simulator and the action's clock: 2 minutes last 120 ms. */
export const TIME_SCALE = 0.001;

export interface WorldOptions {
  scenario?: Scenario;
  eventFilter?: string[];
  stageDelaysMs?: SimulatorOptions['stageDelaysMs'];
  /** Where Streampixel posts: by default a receiver on a free port at RECEIVER_PATH. */
  webhookUrl?: string;
}

/**
 * A simulator whose project's webhooks go to a receiver port (or `webhookUrl`), closed when the test ends.
 * `release` runs the orchestrator with the settings' `wait-via`.
 */
export async function startWorld(options: WorldOptions = {}) {
  const port = await freePort();
  const simulator = await startSimulator({
    users: [{ userId: USER_ID, apiKey: API_KEY }],
    projects: [
      {
        projectId: PROJECT_ID,
        userId: USER_ID,
        webhookUrl: options.webhookUrl ?? `http://127.0.0.1:${port}${RECEIVER_PATH}`,
        ...(options.eventFilter ? { eventFilter: options.eventFilter } : {}),
      },
    ],
    timeScale: TIME_SCALE,
    ...(options.stageDelaysMs ? { stageDelaysMs: options.stageDelaysMs } : {}),
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });
  onTestFinished(() => simulator.close());

  const settings = (patch: Partial<Settings> = {}): Settings => ({
    command: 'release',
    apiKey: API_KEY,
    userId: USER_ID,
    projectId: PROJECT_ID,
    fileUrl: PRESIGNED_FILE_URLS.world,
    uploadId: null,
    autoRelease: false,
    waitVia: 'receiver',
    bridgeUrl: null,
    bridgeToken: null,
    receiverPort: port,
    receiverPath: RECEIVER_PATH,
    timeoutMs: 45 * 60_000,
    failOnRejected: true,
    failOnTimeout: true,
    apiBaseUrl: simulator.url,
    provider: 'streampixel',
    subject: null,
    webhookSecret: null,
    environment: null,
    environmentUrl: null,
    githubToken: null,
    notify: null,
    notifyInputs: null,
    dispatchOnOutcome: false,
    ...patch,
  });

  /** Runs the orchestrator with the receiver, on a clock as fast as the simulator's. */
  async function release(patch: Partial<Settings> = {}, deps: Partial<OrchestratorDeps> = {}) {
    const s = settings(patch);
    const clock = createScaledClock(TIME_SCALE);
    const logger = createMemoryLogger();
    const uploadIds: string[] = [];
    const events: TimelineEntry[] = [];
    const client = createStreampixelClient({ baseUrl: s.apiBaseUrl, apiKey: s.apiKey, userId: s.userId });
    const plan = planOf(s);
    const report = await orchestrate(plan, {
      client,
      clock,
      logger,
      openEventSource: eventSourceFor(plan, clock, logger),
      onUploadId: (id) => void uploadIds.push(id),
      onEvent: (entry) => void events.push(entry),
      ...deps,
    });
    return { ...report, logger, uploadIds, events };
  }

  return { simulator, port, settings, release };
}
