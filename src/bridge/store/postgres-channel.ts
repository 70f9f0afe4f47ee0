import { WILDCARD } from './store.ts';

/** The LISTEN/NOTIFY channel a commit announces itself on, to every bridge process on the database. */
export const NOTIFY_CHANNEL = 'bridge_events';

/*
 * Payload: `provider<TAB>subject`, built in SQL by postgres-append.ts. Providers never contain a tab
 * (validate.ts), so the first tab splits the two, and both are capped well below NOTIFY's 8000-byte limit.
 */

/** The (provider, subject) a payload names; both WILDCARD for a payload this version cannot read. */
export function decodeNotification(payload: string | undefined): [provider: string, subject: string] {
  const tab = payload?.indexOf('\t') ?? -1;
  if (payload === undefined || tab <= 0) return [WILDCARD, WILDCARD];
  return [payload.slice(0, tab), payload.slice(tab + 1)];
}
