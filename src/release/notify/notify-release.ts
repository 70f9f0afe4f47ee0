import { buildNotificationBody, chooseFormat } from './formats.ts';
import { shouldNotify } from './notify-on.ts';
import type { ReleaseReport } from './report.ts';
import { sendNotification, type SendOptions, type SendResult } from './send.ts';
import type { NotifySettings } from './settings.ts';

/**
 * The one call the orchestration makes once the outcome is known: sends `report` when notify-on lists its
 * outcome, in the URL's format. Resolves null when notify-on says not to send; never rejects.
 */
export async function notifyRelease(
  settings: NotifySettings,
  report: ReleaseReport,
  options: SendOptions = {},
): Promise<SendResult | null> {
  if (!shouldNotify(settings.on, report.outcome)) return null;
  const body = buildNotificationBody(chooseFormat(settings.url, settings.format), report);
  return sendNotification(settings.url, body, options);
}
