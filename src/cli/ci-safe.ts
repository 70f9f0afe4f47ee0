import { logLine } from '../webhooks/display-text.ts';

// Other CIs read commands out of a build's output too: TeamCity's `##teamcity[…]` service messages and
// Azure Pipelines' `##vso[…]` logging commands, wherever they sit in a line. Outside text (an objection) must
// never become one, so the marker is broken in what the CLI prints; GitHub's `::` is logLine's job.

const CI_COMMAND = /##(teamcity|vso)\[/gi;

/** One log line: no line breaks, no `::` at its start, no TeamCity or Azure command marker. */
export const ciSafeLine = (text: string): string => logLine(text).replace(CI_COMMAND, '## $1[');

/** JSON whose text can hold no command marker: `[` after the marker is written \u005b, the same value. */
export const ciSafeJson = (json: string): string => json.replace(CI_COMMAND, '##$1\\u005b');
