import type { Parsed } from '../../webhooks/provider-secrets.ts';
import { parseNotifyFormat, type NotifyFormat } from './formats.ts';
import { parseNotifyOn, type NotifyOn } from './notify-on.ts';
import { checkNotifyUrl } from './notify-url.ts';

// The three notify inputs, read together once: `notify-url` empty turns notifications off, and every
// problem is reported at once (by input name, never repeating the URL, which may hold a secret).

export interface NotifySettings {
  url: URL;
  /** Named by notify-format; null means "from the URL's host". */
  format: NotifyFormat | null;
  on: NotifyOn;
}

export interface NotifyInputs {
  url: string;
  format: string;
  on: string;
}

export function parseNotifySettings(inputs: NotifyInputs): Parsed<NotifySettings | null> {
  const format = parseNotifyFormat(inputs.format);
  const on = parseNotifyOn(inputs.on);
  const problems = [
    ...(format.ok ? [] : format.problems.map((problem) => `notify-format ${problem}`)),
    ...(on.ok ? [] : on.problems.map((problem) => `notify-on: ${problem}`)),
  ];
  if (inputs.url.trim() === '')
    return problems.length > 0 ? { ok: false, problems } : { ok: true, value: null };
  const url = checkNotifyUrl(inputs.url);
  if (!url.ok) problems.unshift(url.problem);
  if (!url.ok || !format.ok || !on.ok) return { ok: false, problems };
  return { ok: true, value: { url: url.url, format: format.value, on: on.value } };
}
