import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { INPUT } from '../release/inputs.ts';
import { COMMANDS } from '../wait/types.ts';
import {
  ACTION_ONLY_INPUTS,
  BOOLEAN_INPUTS,
  CLI_FLAG,
  DEFAULT_HEARTBEAT_SECONDS,
  INPUT_FLAGS,
  envVarOf,
  labelOf,
} from './flags.ts';

export interface CliArgs {
  help: boolean;
  json: boolean;
  verbose: boolean;
  heartbeatMs: number;
  /** wait-via handoff: the bridge's handoff token (a secret: mask it before printing anything); '' if none. */
  handoffToken: string;
  /** Raw text of every input by its name (`command` included); '' when neither flag nor variable gives it. */
  inputs: Record<string, string>;
  /** The command was given neither as argument nor as STREAMPIXEL_COMMAND. */
  commandMissing: boolean;
  /** One line each, ready to list: `--bogus: is not a flag …`. None ever shows a value (it may be a secret). */
  problems: string[];
}

const OPTIONS: ParseArgsOptionsConfig = {
  ...Object.fromEntries(INPUT_FLAGS.map((name) => [name, { type: 'string' as const }])),
  [CLI_FLAG.heartbeatSeconds]: { type: 'string' },
  [CLI_FLAG.handoffToken]: { type: 'string' },
  [CLI_FLAG.help]: { type: 'boolean', short: 'h' },
  [CLI_FLAG.json]: { type: 'boolean' },
  [CLI_FLAG.verbose]: { type: 'boolean' },
};

const BOOLEAN_WORDS = /^(true|false)$/i;

/**
 * `--auto-release` alone means true, yet `--auto-release false` must still work: a bare boolean input not
 * followed by true/false is rewritten `--auto-release=true` before parsing.
 */
function withBareBooleans(argv: readonly string[]): string[] {
  return argv.map((arg, index) => {
    const isBare = arg.startsWith('--') && BOOLEAN_INPUTS.includes(arg.slice(2));
    return isBare && !BOOLEAN_WORDS.test(argv[index + 1] ?? '') ? `${arg}=true` : arg;
  });
}

/** `--apikey` or `--api_key` → `--api-key`: the known flag it differs from only by dashes and case. */
function suggestionFor(name: string): string {
  const squash = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  const known = Object.keys(OPTIONS).find((option) => squash(option) === squash(name));
  return known ? ` (did you mean --${known}?)` : '';
}

/**
 * Flags win over STREAMPIXEL_* variables. parseArgs' strict mode would stop at the first problem; the
 * same checks (unknown flag, missing value, value to a switch, extra argument) are made here on its tokens
 * so one run lists them all, beside the inputs' own problems.
 */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliArgs {
  const { tokens } = parseArgs({
    args: withBareBooleans(argv),
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const problems: string[] = [];
  const given = new Map<string, string>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = OPTIONS[token.name];
    if (!option) {
      problems.push(`${token.rawName}: is not a flag of streampixel-release${suggestionFor(token.name)}`);
    } else if (option.type === 'boolean') {
      if (token.value !== undefined) problems.push(`${token.rawName}: takes no value`);
      else switches.add(token.name);
    } else if (token.value === undefined) {
      problems.push(`${token.rawName}: needs a value`);
    } else if (!token.inlineValue && token.value.startsWith('-')) {
      // `--api-key --user-id u`: the value is most likely a forgotten one, not a key starting with a dash.
      problems.push(
        `${token.rawName}: its value starts with "-"; write ${token.rawName}=<value> if that is meant`,
      );
    } else {
      // The last wins, so a job can add `--timeout-minutes 5` to a shared set of flags.
      given.set(token.name, token.value);
    }
  }
  // Counted, never shown: a stray argument is often a value whose flag was mistyped.
  positionals
    .slice(1)
    .forEach((_, index) =>
      problems.push(`argument ${index + 2}: only one command is taken (flags are written --name <value>)`),
    );

  for (const name of ACTION_ONLY_INPUTS) {
    if (given.has(name) || env[envVarOf(name)]) {
      const whose =
        name === INPUT.dispatchOnOutcome
          ? "the CLI's handoff has no GitHub repository: the bridge only notifies (the action dispatches)"
          : 'GitHub Deployments are made by the action only';
      problems.push(`${labelOf(name)}: ${whose}; remove it`);
    }
  }

  const pick = (name: string): string => given.get(name) ?? env[envVarOf(name)] ?? '';
  // The action registers a handoff with the job's GitHub OIDC token; other CI has none, so the CLI sends the
  // bridge's handoff token instead. Without it nothing could register the build: a usage problem (64),
  // refused before anything is sent. Given without handoff it is unused, like a bridge-token with receiver.
  const handoffToken = pick(CLI_FLAG.handoffToken).trim();
  if (pick(INPUT.waitVia).trim() === 'handoff' && handoffToken === '') {
    problems.push(
      `${labelOf(CLI_FLAG.handoffToken)}: is required with wait-via handoff (the bridge's BRIDGE_HANDOFF_TOKEN, from a secret)`,
    );
  }
  const inputs: Record<string, string> = {};
  for (const name of INPUT_FLAGS) inputs[name] = pick(name);
  const command = positionals[0] ?? env[envVarOf(INPUT.command)] ?? '';
  inputs[INPUT.command] = command;
  const commandMissing = command.trim() === '';
  if (commandMissing) problems.push(`${labelOf(INPUT.command)}: is required: one of ${COMMANDS.join(', ')}`);

  const heartbeatText = pick(CLI_FLAG.heartbeatSeconds) || String(DEFAULT_HEARTBEAT_SECONDS);
  const heartbeatSeconds = /^\d+$/.test(heartbeatText.trim()) ? Number(heartbeatText) : NaN;
  if (!(heartbeatSeconds >= 1 && heartbeatSeconds <= 3600)) {
    problems.push(`${labelOf(CLI_FLAG.heartbeatSeconds)}: must be a whole number of seconds from 1 to 3600`);
  }

  return {
    help: switches.has(CLI_FLAG.help),
    json: switches.has(CLI_FLAG.json),
    verbose: switches.has(CLI_FLAG.verbose),
    heartbeatMs: (heartbeatSeconds || DEFAULT_HEARTBEAT_SECONDS) * 1000,
    handoffToken,
    inputs,
    commandMissing,
    problems,
  };
}
