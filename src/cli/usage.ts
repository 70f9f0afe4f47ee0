import { INPUT } from '../release/inputs.ts';
import { COMMANDS } from '../wait/types.ts';
import { CLI_FLAG, DEFAULT_HEARTBEAT_SECONDS, envVarOf, type InputName } from './flags.ts';
import { EXIT } from './exit-codes.ts';

// --help: every flag with its variable. One line of help per input, typed against the INPUT map, so an
// input added to the action without a flag here fails the type check.

type FlagHelp = { value: string; help: string; fallback?: string };

type ActionOnly = 'environment' | 'environment-url' | 'github-token' | 'dispatch-on-outcome';
const INPUT_HELP: Record<Exclude<InputName, 'command' | ActionOnly>, FlagHelp> = {
  [INPUT.apiKey]: { value: 'key', help: 'Streampixel API key (prefer the variable: flags show in ps)' },
  [INPUT.userId]: { value: 'id', help: 'Streampixel user id' },
  [INPUT.projectId]: { value: 'id', help: 'Streampixel project id' },
  [INPUT.fileUrl]: { value: 'url', help: 'direct-download URL of the build .zip (release, upload)' },
  [INPUT.uploadId]: { value: 'id', help: 'an existing build (distribute, wait)' },
  [INPUT.autoRelease]: {
    value: 'bool',
    help: 'true: Streampixel distributes on its own; alone, --auto-release means true',
    fallback: 'false',
  },
  [INPUT.waitVia]: {
    value: 'how',
    help: 'bridge, receiver, handoff (exit at once; the bridge follows) or none (outcome submitted)',
    fallback: 'bridge',
  },
  [INPUT.bridgeUrl]: { value: 'url', help: 'the release bridge (wait-via bridge, handoff)' },
  [INPUT.bridgeToken]: { value: 'token', help: "the bridge's read token (prefer the variable)" },
  [INPUT.receiverPort]: { value: 'port', help: 'port of the receiver (wait-via receiver)', fallback: '8080' },
  [INPUT.receiverPath]: {
    value: 'path',
    help: 'the only path the receiver accepts: put a secret in it',
    fallback: '/',
  },
  [INPUT.timeoutMinutes]: { value: 'min', help: 'overall deadline (fractions allowed)', fallback: '45' },
  [INPUT.failOnRejected]: { value: 'bool', help: `false: a rejection exits ${EXIT.ok}`, fallback: 'true' },
  [INPUT.failOnTimeout]: { value: 'bool', help: `false: a timeout exits ${EXIT.ok}`, fallback: 'true' },
  [INPUT.apiBaseUrl]: {
    value: 'url',
    help: 'another API base (the simulator, a proxy)',
    fallback: "Streampixel's",
  },
  [INPUT.provider]: {
    value: 'name',
    help: 'streampixel, buildpixel, fastpix, pixop or standard-webhooks (others: wait only)',
    fallback: 'streampixel',
  },
  [INPUT.subject]: { value: 'id', help: "another provider's unit of work (with command wait)" },
  [INPUT.webhookSecret]: {
    value: 'secret',
    help: "another provider's signing secret or keys (wait-via receiver)",
  },
  [INPUT.notifyUrl]: {
    value: 'url',
    help: 'Slack, Discord, Teams or any https JSON endpoint told of the outcome (a secret)',
  },
  [INPUT.notifyOn]: {
    value: 'list',
    help: 'outcomes to notify (rejected, timed-out, approved, failed, error, …) or always',
    fallback: 'rejected,timed-out',
  },
  [INPUT.notifyFormat]: {
    value: 'format',
    help: "slack, discord, teams or json (default: from the URL's host)",
  },
};

const CLI_HELP: Array<[string, FlagHelp]> = [
  [
    CLI_FLAG.handoffToken,
    {
      value: 'token',
      help: "the bridge's BRIDGE_HANDOFF_TOKEN, for wait-via handoff (prefer the variable)",
    },
  ],
  [
    CLI_FLAG.heartbeatSeconds,
    {
      value: 's',
      help: 'seconds between heartbeat lines when stderr is not a terminal',
      fallback: String(DEFAULT_HEARTBEAT_SECONDS),
    },
  ],
];

const column = (text: string, width: number) => text.padEnd(width);

function flagLines(entries: Array<[string, FlagHelp]>): string[] {
  return entries.flatMap(([name, { value, help, fallback }]) => [
    `  ${column(`--${name} <${value}>`, 28)} ${envVarOf(name)}${fallback ? ` (default ${fallback})` : ''}`,
    `  ${column('', 28)} ${help}`,
  ]);
}

export const USAGE = [
  'Usage: streampixel-release <command> [--flags]',
  '',
  'Releases an Unreal build to Streampixel and waits for the outcome: the GitHub Action, for any CI.',
  '',
  'Commands:',
  '  release       upload --file-url, distribute once processed, wait for approved or rejected',
  '  upload        upload and wait until processed (outcome processed), for a later distribute',
  '  distribute    distribute --upload-id (promote or roll back) and wait for the outcome',
  "  wait          wait for the outcome of --upload-id (or another provider's --subject)",
  '  test-webhook  check that a test webhook reaches the bridge or the receiver',
  `  (or ${envVarOf(INPUT.command)}; one of ${COMMANDS.join(', ')})`,
  '',
  'Flags (each also read from its variable; a flag wins over the variable):',
  ...flagLines(Object.entries(INPUT_HELP)),
  ...flagLines(CLI_HELP),
  `  ${column('--json', 28)} print the outputs as one JSON object on stdout at the end`,
  `  ${column('--verbose', 28)} debug lines too`,
  `  ${column('-h, --help', 28)} this text`,
  '',
  'wait-via handoff (release, distribute): the CLI uploads or distributes, registers the build with the bridge',
  '(--handoff-token; --bridge-token for the pre-flight) and exits at once with outcome handed-off and its',
  'handoff-id. The bridge follows the build and sends the --notify-url notification; nothing on GitHub.',
  '',
  '(--environment, --environment-url, --github-token and --dispatch-on-outcome are refused: GitHub Deployments',
  "and dispatches are the action's.)",
  '',
  'Logs go to stderr; stdout holds only the --json object. Secrets are never printed.',
  '',
  'Exit codes:',
  `  ${EXIT.ok}    approved, processed, submitted, handed-off, test-delivered, succeeded (or a tolerated rejection`,
  '       or timeout)',
  `  ${EXIT.rejected}    rejected (another provider: failed, cancelled)`,
  `  ${EXIT.timedOut}    timed out: no outcome before --timeout-minutes; "wait --upload-id <id>" takes over`,
  `  ${EXIT.error}    error with no outcome (the message says whether a build may exist)`,
  `  ${EXIT.usage}   flags or variables with problems: nothing was sent`,
  `  ${EXIT.interrupted}  interrupted by Ctrl-C (143 for SIGTERM)`,
  '',
].join('\n');
