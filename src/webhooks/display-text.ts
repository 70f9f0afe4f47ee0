// Text that came from outside (webhook fields, API and bridge answers) is shown to people in three places
// that each interpret it: the runner's log (a line starting with `::` is a workflow command), annotations
// and outputs, and the job summary (Markdown with inline HTML). Everything shown passes through here first.

/** Longest identifier or status shown; a longer one is shortened for display only. */
export const MAX_DISPLAY_CHARS = 200;
/** An objection may be long; the summary and outputs keep this much of it. */
export const MAX_OBJECTION_CHARS = 2000;

// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidi controls that can make a
// log line read differently from what it holds.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (char: string): string => {
  switch (char) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
  }
};

/**
 * One line of plain text, safe to print: control characters are shown escaped (`\n`), lone surrogates
 * become U+FFFD, and text past `maxChars` is cut with a note of how much was left out.
 */
export function displayText(text: string, maxChars = MAX_DISPLAY_CHARS): string {
  const line = text.toWellFormed().replace(UNSAFE_CHARS, escapeChar);
  if (line.length <= maxChars) return line;
  const left = line.length - maxChars;
  return `${line.slice(0, maxChars)}… (${left} more character${left === 1 ? '' : 's'})`;
}

/**
 * A log line the runner prints as text and never runs: one line, and never starting with `::` (the
 * runner trims a line before it looks for a command, so leading spaces would not help).
 */
export function logLine(message: string): string {
  const line = message.toWellFormed().replace(UNSAFE_CHARS, escapeChar);
  return line.trimStart().startsWith('::') ? `› ${line}` : line;
}

/**
 * Text for the job summary: every ASCII character that Markdown or HTML could read as syntax (emphasis,
 * links, autolinks, tables, tags, entities) becomes a numeric character reference, which renders as itself.
 */
export function markdownText(text: string, maxChars = MAX_DISPLAY_CHARS): string {
  return displayText(text, maxChars).replace(
    /[^A-Za-z0-9 \u0080-\uffff]/g,
    (char) => `&#${char.charCodeAt(0)};`,
  );
}
