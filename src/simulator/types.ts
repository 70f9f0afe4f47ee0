import type { Clock } from '../lib/clock.ts';
import type { StreampixelEndpoint } from '../streampixel/errors.ts';
import type { BuildEventName, WebhookEnvelope } from '../streampixel/schemas.ts';
import type { Scenario } from './scenario.ts';

export interface SimulatorUser {
  userId: string;
  apiKey: string;
}

export interface SimulatorProject {
  projectId: string;
  userId: string;
  /** The one webhook URL of the project, as set in Streampixel's dashboard. */
  webhookUrl?: string;
  /** The events ticked in the dashboard; absent means all of them. */
  eventFilter?: string[];
}

export interface SimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  users: SimulatorUser[];
  projects: SimulatorProject[];
  /** Real ms per simulated ms: 1 is realistic, 0.001 makes a two-minute wait take 120 ms. Default 1. */
  timeScale?: number;
  /** Simulated ms before each stage event fires, after the previous one (or the API call that starts it). */
  stageDelaysMs?: Partial<Record<BuildEventName, number>>;
  /** Real ms a webhook endpoint gets to answer before the attempt counts as failed. Default 10 000. */
  webhookTimeoutMs?: number;
  /** Simulated ms of the per-user, per-endpoint rate limit. Default Streampixel's 2 minutes; 0 turns it off. */
  rateLimitWindowMs?: number;
  scenario?: Scenario;
  /**
   * Simulated time for timestamps and the rate limit. Default: a clock running `1 / timeScale` times faster
   * than real time from the start. Tests pass a manual one to cross a rate-limit window without waiting.
   */
  clock?: Pick<Clock, 'now'>;
}

/** One request to the simulated API, whatever its outcome. */
export interface ApiCall {
  method: string;
  path: string;
  /** Null for requests that matched no endpoint. */
  endpoint: StreampixelEndpoint | null;
  status: number;
  /** The JSON body as received with `apiKey` replaced by `***`; undefined when it was not JSON. */
  body: unknown;
  /** The JSON the simulator answered. */
  response: unknown;
  /** Real time, epoch ms. */
  at: number;
}

/** One webhook POST attempt. Streampixel never retries, so neither does the simulator. */
export interface Delivery {
  url: string;
  envelope: WebhookEnvelope;
  /** What the endpoint answered; 0 when unreachable, timed out, or aborted by `close()`. */
  status: number;
  error?: string;
  /** `pipeline`: a build's own event (duplicates included); `noise`: a decoy; `test-webhook`: the Test API. */
  source: 'pipeline' | 'noise' | 'test-webhook';
  /** Real time the attempt started, epoch ms. */
  at: number;
  durationMs: number;
}

/** `processed`: saving reached, so Distribute is allowed. */
export type BuildState = 'processing' | 'processed' | 'distributing' | 'approved' | 'rejected';

export interface BuildRecord {
  uploadId: string;
  projectId: string;
  userId: string;
  fileUrl: string;
  autoRelease: boolean;
  state: BuildState;
  lastEvent: BuildEventName | null;
  /** Every event the pipeline fired, in order, whether it was sent, unticked or dropped. */
  events: WebhookEnvelope[];
}

export interface SimulatorEventMap {
  call: ApiCall;
  delivery: Delivery;
  idle: undefined;
}
export type SimulatorEvent = keyof SimulatorEventMap;

export interface WaitForOptions {
  /** Real ms before the returned promise rejects. Default 5 000. */
  timeoutMs?: number;
}

export interface Simulator {
  /** The API base: endpoints live at `${url}/projects/upload-file` and so on. */
  url: string;
  port: number;
  calls: ApiCall[];
  deliveries: Delivery[];
  builds: Map<string, BuildRecord>;
  /** Replaces the scenario and re-arms its API failures; builds under way see it from their next event. */
  setScenario(scenario: Scenario): void;
  /** Adds or replaces a project (webhook URL, ticked events). */
  setProject(project: SimulatorProject): void;
  /** Returns a function that removes the listener. */
  on<K extends SimulatorEvent>(event: K, listener: (value: SimulatorEventMap[K]) => void): () => void;
  /**
   * Resolves with the first call or delivery matching `predicate`, looking at those already recorded first;
   * `idle` resolves at once when nothing is pending (no stage timer, no delivery in flight).
   */
  waitFor<K extends SimulatorEvent>(
    event: K,
    predicate?: (value: SimulatorEventMap[K]) => boolean,
    options?: WaitForOptions,
  ): Promise<SimulatorEventMap[K]>;
  /** Stops the server, cancels pending stage timers and aborts deliveries in flight. */
  close(): Promise<void>;
}
