import {
  startSimulator,
  type BuildRecord,
  type Scenario,
  type Simulator,
} from '../../src/simulator/index.ts';
import { freePort } from '../../scripts/free-port.ts';
import { BUNDLE, runAction, type ActionRun } from '../../scripts/run-action.ts';
import { startBuiltBridge, type BuiltBridge, type OnFinished } from './built-bridge.ts';
import { API_KEYS, PRESIGNED_FILE_URLS, RECEIVER_PATHS } from './secrets.ts';
import { postWebhook, startWebhookRelay, type Envelope, type Intercept } from './webhook-relay.ts';
import { FAST_STAGES } from './fast-stages.ts';

// One release world for the built action: the simulator (real time, stages a few ms apart), a relay, and
// the wait path under test: the built bridge process on SQLite, or the receiver the action opens itself.

export type WaitPath = 'bridge' | 'receiver';
export const WAIT_PATHS: readonly WaitPath[] = ['bridge', 'receiver'];

export const MATRIX_USER_ID = 'user-1';
export const MATRIX_PROJECT_ID = 'proj-1';
export const OTHER_PROJECT_ID = 'proj-2';

/** MATRIX_ACTION_BUNDLE runs another build of the action (one from before a fix, say) through the same cases. */
const ACTION_ENTRY = process.env.MATRIX_ACTION_BUNDLE || BUNDLE;

export interface MatrixWorldOptions {
  via: WaitPath;
  onFinished: OnFinished;
  scenario?: Scenario;
  intercept?: Intercept;
}

export interface MatrixWorld {
  simulator: Simulator;
  /** Null on the receiver path. */
  bridge: BuiltBridge | null;
  inputs(patch?: Record<string, string>): Record<string, string>;
  /** Runs `node dist/action/index.js` with `inputs(patch)`. */
  run(patch?: Record<string, string>): Promise<ActionRun>;
  /** Posts straight to the wait path (for the receiver, only while the action runs). */
  post(envelope: Envelope): Promise<number>;
  /** The builds the simulator created, in order. */
  builds(): BuildRecord[];
  /** `endpoint status` of every call to one of Streampixel's endpoints, in order. */
  calls(): string[];
}

export async function startMatrixWorld(options: MatrixWorldOptions): Promise<MatrixWorld> {
  const { via, onFinished } = options;
  const receiverPort = await freePort();
  const bridge = via === 'bridge' ? await startBuiltBridge(onFinished) : null;
  const target = bridge ? bridge.hookUrl : `http://127.0.0.1:${receiverPort}${RECEIVER_PATHS.matrix}`;
  const relay = await startWebhookRelay({
    target,
    onFinished,
    ...(options.intercept ? { intercept: options.intercept } : {}),
  });
  const simulator = await startSimulator({
    users: [{ userId: MATRIX_USER_ID, apiKey: API_KEYS.matrix }],
    projects: [{ projectId: MATRIX_PROJECT_ID, userId: MATRIX_USER_ID, webhookUrl: relay.url }],
    stageDelaysMs: FAST_STAGES,
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });
  onFinished(() => simulator.close());

  const inputs = (patch: Record<string, string> = {}) => ({
    'api-key': API_KEYS.matrix,
    'user-id': MATRIX_USER_ID,
    'project-id': MATRIX_PROJECT_ID,
    'file-url': PRESIGNED_FILE_URLS.matrix,
    'api-base-url': simulator.url,
    'timeout-minutes': '2',
    ...(bridge
      ? { 'wait-via': 'bridge', 'bridge-url': bridge.url, 'bridge-token': bridge.readToken }
      : {
          'wait-via': 'receiver',
          'receiver-port': String(receiverPort),
          'receiver-path': RECEIVER_PATHS.matrix,
        }),
    ...patch,
  });
  return {
    simulator,
    bridge,
    inputs,
    run: (patch) => runAction(inputs(patch), ACTION_ENTRY),
    post: (envelope) => postWebhook(target, envelope),
    builds: () => [...simulator.builds.values()],
    calls: () =>
      simulator.calls.flatMap((call) => (call.endpoint ? [`${call.endpoint} ${call.status}`] : [])),
  };
}

/** The timeline's event names, from the `events` output. */
export const eventsOf = (run: ActionRun): string[] =>
  (JSON.parse(run.outputs.events ?? '[]') as Array<{ event: string }>).map((entry) => entry.event);

/** The `::error::` / `::warning::` line the step ended with, for assertions on its message. */
export const annotationOf = (run: ActionRun): string =>
  run.stdout.split('\n').find((line) => line.startsWith('::error::')) ??
  run.stdout.split('\n').find((line) => line.startsWith('::warning::')) ??
  '';
