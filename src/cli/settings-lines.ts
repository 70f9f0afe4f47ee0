import { redactUrl, type Settings } from '../release/inputs.ts';
import { UNIT_OF_WORK } from '../webhooks/event.ts';

// What the run was asked to do, as its first lines. The action prints the same in its Settings group;
// both could share this from src/release.

/** "Streampixel release", "Wait for a BuildPixel build". */
export const runTitle = (settings: Settings): string =>
  settings.provider === 'streampixel'
    ? `Streampixel ${settings.command}`
    : `Wait for a ${UNIT_OF_WORK[settings.provider]}`;

export function settingsLines(settings: Settings): string[] {
  const lines = [`command: ${settings.command}`];
  if (settings.provider !== 'streampixel') {
    lines.push(`provider: ${settings.provider}`, `subject: ${settings.subject}`);
  } else lines.push(`project-id: ${settings.projectId}`);
  if (settings.fileUrl) lines.push(`file-url: ${redactUrl(settings.fileUrl)}`);
  if (settings.uploadId) lines.push(`upload-id: ${settings.uploadId}`);
  lines.push(`auto-release: ${settings.autoRelease}`);
  const via = settings.waitVia;
  if (via === 'receiver') lines.push(`wait-via: receiver (port ${settings.receiverPort})`);
  else if (via === 'bridge' || via === 'handoff')
    lines.push(`wait-via: ${via} (${redactUrl(settings.bridgeUrl ?? '')})`);
  else lines.push(`wait-via: ${via}`);
  lines.push(`timeout: ${settings.timeoutMs / 60_000} min`);
  return lines;
}
