import { displayText } from '../../webhooks/display-text.ts';

// Outside text (an objection, ids from webhooks) enters a notification through here: one line with control
// characters shown escaped, escaped for the format it lands in, and cut so the escaped result fits the
// format's field limit. Cutting after escaping could split an entity or leave a lone backslash, so the
// budget is counted while escaping.

/** Room kept for the note that says how much was left out. */
const NOTE_ROOM = 32;

export function fitEscaped(text: string, maxChars: number, escapeChar: (char: string) => string): string {
  const chars = [...displayText(text, Number.MAX_SAFE_INTEGER)];
  const whole = chars.map(escapeChar).join('');
  if (whole.length <= maxChars) return whole;
  let out = '';
  for (const [index, char] of chars.entries()) {
    const piece = escapeChar(char);
    if (out.length + piece.length > maxChars - NOTE_ROOM) {
      const left = chars.length - index;
      return `${out}… (${left} more character${left === 1 ? '' : 's'})`;
    }
    out += piece;
  }
  return out;
}

/** Text a JSON receiver gets as is (newlines kept), only made well-formed and cut to `maxChars`. */
export function capText(text: string, maxChars: number): string {
  const chars = [...text.toWellFormed()];
  if (chars.length <= maxChars) return chars.join('');
  const left = chars.length - maxChars;
  return `${chars.slice(0, maxChars).join('')}… (${left} more character${left === 1 ? '' : 's'})`;
}

/** A link a card may carry: http(s) only, well-formed, not absurdly long; anything else is left out. */
export function safeLink(url: string | null): string | null {
  if (url === null || url.length > 2000 || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  // Characters that end a link in Slack (`|`, `>`) or Markdown (`)`) are percent-encoded, which means the same.
  return parsed.href.replace(/[|<>()\s"'`]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A word joiner after `@` keeps `@everyone`, `@here` and `@channel` from reading as mentions. */
export const breakMention = (char: string): string => (char === '@' ? '@\u2060' : char);
