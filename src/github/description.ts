// A deployment status's description is one line of plain text in GitHub's UI, and GitHub refuses the whole
// status (422) when it is longer than 140 characters. An objection comes from outside and can be any length,
// so it is flattened to one line and cut here rather than losing the status.

export const MAX_DESCRIPTION_CHARS = 140;

// Line breaks, tabs and the Unicode line and paragraph separators read as a space; other controls and the
// bidi overrides that can make text read differently from what it holds are dropped.
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
const DROPPED = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of at most 140 UTF-16 units (so at most 140 characters however GitHub counts), cut with `…`. */
export function deploymentDescription(text: string): string {
  const line = text.toWellFormed().replace(BREAKS, ' ').replace(DROPPED, '').replace(/ {2,}/g, ' ').trim();
  if (line.length <= MAX_DESCRIPTION_CHARS) return line;
  let cut = line.slice(0, MAX_DESCRIPTION_CHARS - 1);
  // Never split a surrogate pair: half a character is not well-formed text.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}
