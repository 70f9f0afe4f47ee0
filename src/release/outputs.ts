import type { ReleaseObserver, RunRecord } from './observers.ts';
import { shareUrl } from '../streampixel/schemas.ts';
import { displayText } from '../webhooks/display-text.ts';

/** Every output of action.yml, by its kebab-case name. */
export const OUTPUT = {
  uploadId: 'upload-id',
  outcome: 'outcome',
  status: 'status',
  objection: 'objection',
  events: 'events',
  durationSeconds: 'duration-seconds',
  shareUrl: 'share-url',
  artifactUrl: 'artifact-url',
  mediaId: 'media-id',
  playbackIds: 'playback-ids',
  videoId: 'video-id',
  deploymentId: 'deployment-id',
  /** wait-via handoff: the bridge's id for the handoff (GET /v1/handoffs/<id>). */
  handoffId: 'handoff-id',
} as const;

export type SetOutput = (name: string, value: string) => void;

/**
 * Sets outputs as soon as they are known, so a later step (or a failing one) still sees the upload id and
 * the timeline so far. `projectId` is Streampixel's, for the share link; null for another provider.
 */
export function outputsObserver(setOutput: SetOutput, projectId: string | null): ReleaseObserver {
  const events = (record: RunRecord) => setOutput(OUTPUT.events, JSON.stringify(record.timeline));
  return {
    name: 'set the outputs',
    started(record) {
      if (projectId) setOutput(OUTPUT.shareUrl, shareUrl(projectId));
      if (record.uploadId) setOutput(OUTPUT.uploadId, record.uploadId);
    },
    uploadId(record) {
      if (record.uploadId) setOutput(OUTPUT.uploadId, record.uploadId);
    },
    event(entry, record) {
      setOutput(OUTPUT.status, entry.status);
      events(record);
    },
    /** The end of the step, successful or not: no result when an error ended it. */
    finished(record) {
      events(record);
      setOutput(OUTPUT.durationSeconds, String(Math.round(record.durationMs / 100) / 10));
      const { result } = record;
      if (result?.outcome) setOutput(OUTPUT.outcome, result.outcome);
      if (result?.objection) setOutput(OUTPUT.objection, result.objection);
      const links = result?.links ?? {};
      // Provider ids and URLs: shown only after the same neutralising as any other outside text.
      if (links.artifactUrl) setOutput(OUTPUT.artifactUrl, displayText(links.artifactUrl, 4096));
      if (links.mediaId) setOutput(OUTPUT.mediaId, displayText(links.mediaId));
      if (links.playbackIds) setOutput(OUTPUT.playbackIds, JSON.stringify(links.playbackIds));
      if (links.videoId) setOutput(OUTPUT.videoId, displayText(links.videoId));
    },
  };
}
