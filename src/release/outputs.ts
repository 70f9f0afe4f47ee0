import type { Result, TimelineEntry } from '../wait/types.ts';
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
} as const;

export type SetOutput = (name: string, value: string) => void;

/**
 * Sets outputs as soon as they are known, so a later step (or a failing one) still sees the upload id
 * and the timeline so far.
 */
export function createOutputWriter(setOutput: SetOutput, projectId: string | null) {
  const timeline: TimelineEntry[] = [];
  // Streampixel's share link; another provider's unit of work has none.
  if (projectId) setOutput(OUTPUT.shareUrl, shareUrl(projectId));
  return {
    uploadId(uploadId: string): void {
      setOutput(OUTPUT.uploadId, uploadId);
    },
    event(entry: TimelineEntry): void {
      timeline.push(entry);
      setOutput(OUTPUT.status, entry.status);
      setOutput(OUTPUT.events, JSON.stringify(timeline));
    },
    /** The end of the step, successful or not: result is null when an error ended it. */
    finish(result: Result | null, durationMs: number): void {
      setOutput(OUTPUT.events, JSON.stringify(timeline));
      setOutput(OUTPUT.durationSeconds, String(Math.round(durationMs / 100) / 10));
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

export type OutputWriter = ReturnType<typeof createOutputWriter>;
