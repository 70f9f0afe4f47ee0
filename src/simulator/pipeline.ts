import { randomBytes } from 'node:crypto';
import { BUILD_EVENT, type BuildEventName, type WebhookEnvelope } from '../streampixel/schemas.ts';
import type { ActivityTracker } from './activity.ts';
import { buildEnvelope, noiseEnvelopes } from './envelopes.ts';
import { createReorderBuffer } from './reorder-buffer.ts';
import { copiesToSend, type Scenario } from './scenario.ts';
import type { BuildRecord, BuildState, Delivery, SimulatorProject } from './types.ts';

type Stage = Exclude<BuildEventName, 'build.rejected' | 'webhook.test'>;

/** Simulated ms before each stage fires: a small build's real pace, about two and a half minutes in all. */
export const DEFAULT_STAGE_DELAYS_MS: Record<Stage, number> = {
  'build.uploaded': 1_000,
  'build.downloading': 3_000,
  'build.extracting': 20_000,
  'build.saving': 40_000,
  'build.distributing': 5_000,
  'build.approved': 60_000,
};

const STATE_AFTER: Record<Stage | 'build.rejected', BuildState> = {
  'build.uploaded': 'processing',
  'build.downloading': 'processing',
  'build.extracting': 'processing',
  'build.saving': 'processed',
  'build.distributing': 'distributing',
  'build.approved': 'approved',
  'build.rejected': 'rejected',
};

export interface PipelineDeps {
  timeScale: number;
  stageDelaysMs: Partial<Record<BuildEventName, number>>;
  /** Simulated now as ISO 8601, strictly increasing so re-fired events always carry a newer timestamp. */
  timestamp(): string;
  project(projectId: string): SimulatorProject | undefined;
  scenario(): Scenario;
  /** POSTs one envelope and records the outcome; never throws. */
  deliver(url: string, envelope: WebhookEnvelope, source: Delivery['source']): Promise<void>;
  activity: ActivityTracker;
}

interface Post {
  envelope: WebhookEnvelope;
  source: Delivery['source'];
}

/** The POSTs one fired event causes, delivered together (decoys first, then the event and its duplicate). */
interface QueueItem {
  url: string;
  posts: Post[];
  delivered: () => void;
  endActivity: () => void;
}

interface BuildRun {
  record: BuildRecord;
  /** Deliveries of one build go out one after another, in firing order (unless the scenario reorders). */
  chain: Promise<void>;
  reorder: ReturnType<typeof createReorderBuffer<QueueItem>>;
  /** Distribution asked for (autoRelease, or a Distribute call) and not yet finished. */
  distributionRequested: boolean;
  /** The id the noise scenario uses for "another build of the same project". */
  decoyUploadId: string;
}

export type DistributeResult = 'started' | 'in-progress' | 'not-processed' | 'rejected';

export const newUploadId = (): string => randomBytes(12).toString('hex');

/** Builds, their stage timers and their webhook queues. */
export function createPipeline(deps: PipelineDeps) {
  const runs = new Map<string, BuildRun>();
  const builds = new Map<string, BuildRecord>();
  const timers = new Set<{ timer: NodeJS.Timeout; end: () => void }>();
  let closed = false;

  const delayOf = (stage: Stage): number => deps.stageDelaysMs[stage] ?? DEFAULT_STAGE_DELAYS_MS[stage];

  function schedule(run: BuildRun, stage: Stage): void {
    const entry = {
      end: deps.activity.begin(),
      timer: setTimeout(
        () => {
          timers.delete(entry);
          try {
            fire(run, stage);
          } finally {
            // After fire(), which has already begun the next piece of work: no false idle in between.
            entry.end();
          }
        },
        delayOf(stage) * deps.timeScale,
      ),
    };
    timers.add(entry);
  }

  function nextStage(run: BuildRun, stage: Stage): Stage | undefined {
    switch (stage) {
      case 'build.uploaded':
        return 'build.downloading';
      case 'build.downloading':
        return 'build.extracting';
      case 'build.extracting':
        return 'build.saving';
      case 'build.saving':
        return run.distributionRequested ? 'build.distributing' : undefined;
      case 'build.distributing':
        return 'build.approved';
      case 'build.approved':
        return undefined;
    }
  }

  /** Fires one stage (or the rejection replacing it); resolves once its POSTs are done. */
  function fire(run: BuildRun, stage: Stage): Promise<void> {
    if (closed) return Promise.resolve();
    const scenario = deps.scenario();
    const rejectAt = scenario.rejectAt?.event === stage ? scenario.rejectAt : undefined;
    const event = rejectAt ? BUILD_EVENT.rejected : stage;
    const { record } = run;
    const envelope = buildEnvelope({
      event,
      projectId: record.projectId,
      uploadId: record.uploadId,
      fileUrl: record.fileUrl,
      timestamp: deps.timestamp(),
      ...(rejectAt ? { objection: rejectAt.objection } : {}),
    });
    record.events.push(envelope);
    record.lastEvent = event;
    record.state = STATE_AFTER[event];
    const next = rejectAt ? undefined : nextStage(run, stage);
    if (!next) run.distributionRequested = false;

    const delivered = send(run, envelope, scenario);
    if (next) schedule(run, next);
    // Paused or finished: no partner will come for an event held back to be swapped.
    else run.reorder.flush().forEach((item) => enqueue(run, item));
    return delivered;
  }

  function send(run: BuildRun, envelope: WebhookEnvelope, scenario: Scenario): Promise<void> {
    const project = deps.project(run.record.projectId);
    const url = project?.webhookUrl;
    const copies = url ? copiesToSend(envelope.event as BuildEventName, scenario, project.eventFilter) : 0;
    if (!url || copies === 0) return Promise.resolve();
    const posts: Post[] = [];
    if (scenario.extraEvents === 'noise') {
      posts.push(
        ...noiseEnvelopes(envelope, run.decoyUploadId).map((decoy) => ({
          envelope: decoy,
          source: 'noise' as const,
        })),
      );
    }
    for (let i = 0; i < copies; i += 1) posts.push({ envelope, source: 'pipeline' });
    let delivered!: () => void;
    const done = new Promise<void>((resolve) => (delivered = resolve));
    const item: QueueItem = { url, posts, delivered, endActivity: deps.activity.begin() };
    const ready = scenario.reorder ? run.reorder.push(item) : [...run.reorder.flush(), item];
    ready.forEach((readyItem) => enqueue(run, readyItem));
    return done;
  }

  function enqueue(run: BuildRun, item: QueueItem): void {
    run.chain = run.chain.then(async () => {
      try {
        for (const post of item.posts) {
          if (closed) break;
          await deps.deliver(item.url, post.envelope, post.source);
        }
      } finally {
        item.delivered();
        item.endActivity();
      }
    });
  }

  return {
    builds,

    /** A new build; `uploaded` resolves once build.uploaded is delivered when the scenario fires it at once. */
    start(args: { projectId: string; userId: string; fileUrl: string; autoRelease: boolean }): {
      build: BuildRecord;
      uploaded: Promise<void>;
    } {
      const record: BuildRecord = {
        uploadId: newUploadId(),
        ...args,
        state: 'processing',
        lastEvent: null,
        events: [],
      };
      const run: BuildRun = {
        record,
        chain: Promise.resolve(),
        reorder: createReorderBuffer<QueueItem>(),
        distributionRequested: args.autoRelease,
        decoyUploadId: newUploadId(),
      };
      builds.set(record.uploadId, record);
      runs.set(record.uploadId, run);
      if (deps.scenario().uploadedBeforeResponse)
        return { build: record, uploaded: fire(run, 'build.uploaded') };
      schedule(run, 'build.uploaded');
      return { build: record, uploaded: Promise.resolve() };
    },

    /** Distribute: promotes a processed build, or re-distributes an approved one (rollback). */
    distribute(uploadId: string): DistributeResult {
      const run = runs.get(uploadId);
      if (!run) throw new Error(`unknown build ${uploadId}`);
      const { state } = run.record;
      if (state === 'processing') return 'not-processed';
      if (state === 'rejected') return 'rejected';
      if (run.distributionRequested) return 'in-progress';
      run.distributionRequested = true;
      schedule(run, 'build.distributing');
      return 'started';
    },

    /** Cancels stage timers and stops queued deliveries; resolves when the queues are drained. */
    async close(): Promise<void> {
      closed = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.end();
      }
      timers.clear();
      for (const run of runs.values()) {
        for (const item of run.reorder.flush()) {
          item.delivered();
          item.endActivity();
        }
      }
      await Promise.all([...runs.values()].map((run) => run.chain));
    },
  };
}
export type Pipeline = ReturnType<typeof createPipeline>;
