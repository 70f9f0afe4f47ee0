import { messageOf } from '../lib/error-message.ts';
import type { Result, TimelineEntry } from '../wait/types.ts';

// Side effects of a run (outputs, the job summary, a GitHub Deployment, a notification) as observers: each
// learns what the run learns, as it learns it, and a failing one only warns. None can change the outcome.

/** What a run has learnt so far: kept once, here, and shown to every observer. */
export interface RunRecord {
  readonly startedAt: number;
  uploadId: string | null;
  readonly timeline: TimelineEntry[];
  /** Set at the end: the outcome, or (result null) the error message that ended the run. */
  result: Result | null;
  error: string | null;
  durationMs: number;
}

export const createRunRecord = (startedAt: number, uploadId: string | null = null): RunRecord => ({
  startedAt,
  uploadId,
  timeline: [],
  result: null,
  error: null,
  durationMs: 0,
});

export interface ReleaseObserver {
  /** For warnings: "Could not write the job summary: …". */
  readonly name: string;
  started?(record: RunRecord): void | Promise<void>;
  uploadId?(record: RunRecord): void | Promise<void>;
  event?(entry: TimelineEntry, record: RunRecord): void | Promise<void>;
  finished?(record: RunRecord): void | Promise<void>;
}

/** Calls `hook` on every observer in turn; a throw or rejection becomes a warning and the rest go on. */
export async function tell(
  observers: readonly ReleaseObserver[],
  hook: (observer: ReleaseObserver) => void | Promise<void>,
  warn: (message: string) => void,
): Promise<void> {
  for (const observer of observers) {
    try {
      await hook(observer);
    } catch (error) {
      warn(`Could not ${observer.name}: ${messageOf(error)}`);
    }
  }
}

/** The orchestrator's callbacks that keep `record` and tell the observers as the run learns each thing. */
export function recordingCallbacks(
  record: RunRecord,
  observers: readonly ReleaseObserver[],
  warn: (message: string) => void,
): { onUploadId(id: string): void; onEvent(entry: TimelineEntry): void } {
  return {
    onUploadId(id) {
      record.uploadId = id;
      void tell(observers, (observer) => observer.uploadId?.(record), warn);
    },
    onEvent(entry) {
      record.timeline.push(entry);
      void tell(observers, (observer) => observer.event?.(entry, record), warn);
    },
  };
}
