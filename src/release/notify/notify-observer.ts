import type { ProviderId } from '../../webhooks/event.ts';
import type { Command } from '../../wait/types.ts';
import type { ReleaseObserver } from '../observers.ts';
import { notifyRelease } from './notify-release.ts';
import type { SendOptions } from './send.ts';
import type { NotifySettings } from './settings.ts';

// The notification (DESIGN §8.2) as an observer: once the outcome is known, told when notify-on lists it.
// Bounded in time, never fails the release: a refused URL or an endpoint that fails is a warning.

export interface NotifyContext {
  provider: ProviderId;
  command: Command;
  /** Streampixel's project; null for another provider. */
  projectId: string | null;
  /** The share link, used only when the build is live. */
  shareUrl: string | null;
  runUrl: string | null;
  repository: string | null;
  commit: string | null;
}

export function notifyObserver(
  settings: NotifySettings,
  context: NotifyContext,
  warn: (message: string) => void,
  options: SendOptions = {},
): ReleaseObserver {
  return {
    name: 'send the notification',
    async finished(record) {
      const outcome = record.result?.outcome ?? 'error';
      const sent = await notifyRelease(
        settings,
        {
          provider: context.provider,
          command: context.command,
          projectId: context.projectId,
          subject: record.uploadId,
          outcome,
          detail: record.result?.objection ?? record.result?.failure ?? record.error,
          shareUrl: outcome === 'approved' ? context.shareUrl : null,
          runUrl: context.runUrl,
          repository: context.repository,
          commit: context.commit,
        },
        options,
      );
      if (sent && !sent.sent) warn(sent.warning);
    },
  };
}
