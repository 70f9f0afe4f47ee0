import type { ProviderId } from '../webhooks/event.ts';

// What one run is asked to do, as the core takes it from the action's inputs or the CLI's flags: one
// shape per command, so a field that does not apply to a command cannot even be given to it.

export type ReleaseRequest =
  | { command: 'release'; projectId: string; fileUrl: string; autoRelease: boolean }
  /** Stages the build (autoRelease false) and waits until it is processed. */
  | { command: 'upload'; projectId: string; fileUrl: string }
  | { command: 'distribute'; projectId: string; uploadId: string }
  /** A Streampixel build (`subject` is its uploadId, `projectId` its project) or another provider's unit of work. */
  | { command: 'wait'; provider: ProviderId; projectId: string; subject: string }
  | { command: 'test-webhook'; projectId: string };

/** How webhooks reach the run. */
export type WaitPath =
  | { via: 'none' }
  | { via: 'bridge'; url: string; token: string }
  /**
   * The job waits for nothing: it registers the build with the bridge, which follows it (DESIGN §10). The
   * read token is for the pre-flight, which proves the bridge is there before anything is sent.
   */
  | { via: 'handoff'; url: string; token: string }
  /** `webhookSecret`: another provider's secrets or keys (DESIGN §7), '' for Streampixel. */
  | { via: 'receiver'; port: number; path: string; webhookSecret: string };

export interface ReleasePlan {
  request: ReleaseRequest;
  wait: WaitPath;
  /** The whole run's deadline, from its start. */
  timeoutMs: number;
}

/** Whose events end the run. */
export const providerOf = (request: ReleaseRequest): ProviderId =>
  request.command === 'wait' ? request.provider : 'streampixel';

/** The build or unit of work the run is given up front (distribute, wait); null when its upload creates it. */
export const givenSubjectOf = (request: ReleaseRequest): string | null =>
  request.command === 'distribute' ? request.uploadId : request.command === 'wait' ? request.subject : null;
