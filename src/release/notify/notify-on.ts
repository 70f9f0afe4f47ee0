import { displayText } from '../../webhooks/display-text.ts';
import type { Parsed } from '../../webhooks/provider-secrets.ts';
import { NOTIFY_OUTCOMES, type NotifyOutcome } from './report.ts';

// `notify-on`: which outcomes send a notification. Names are separated by commas, spaces or new lines;
// `always` means every outcome. Every unknown name is reported at once, so one fix makes the input right.

export const DEFAULT_NOTIFY_ON = 'rejected,timed-out';

export type NotifyOn = ReadonlySet<NotifyOutcome>;

const isNotifyOutcome = (name: string): name is NotifyOutcome =>
  (NOTIFY_OUTCOMES as readonly string[]).includes(name);

export function parseNotifyOn(text: string): Parsed<NotifyOn> {
  const names = text
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((name) => name !== '');
  if (names.length === 0) return parseNotifyOn(DEFAULT_NOTIFY_ON);
  const unknown = names.filter((name) => name !== 'always' && !isNotifyOutcome(name));
  if (unknown.length > 0)
    return {
      ok: false,
      problems: unknown.map(
        (name) =>
          `"${displayText(name, 40)}" is not an outcome: use always, or any of ${NOTIFY_OUTCOMES.join(', ')}`,
      ),
    };
  if (names.includes('always')) return { ok: true, value: new Set(NOTIFY_OUTCOMES) };
  return { ok: true, value: new Set(names.filter(isNotifyOutcome)) };
}

export const shouldNotify = (notifyOn: NotifyOn, outcome: NotifyOutcome): boolean => notifyOn.has(outcome);
