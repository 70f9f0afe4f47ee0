import { INPUT } from '../release/inputs.ts';

// The CLI's flags: one per input of the action (same kebab-case name), each also read from a STREAMPIXEL_*
// variable, plus a few switches of the CLI itself. The command is the first positional argument.

export type InputName = (typeof INPUT)[keyof typeof INPUT];

/** The variable an input is also read from: `api-key` → STREAMPIXEL_API_KEY. */
export const envVarOf = (name: string): string => `STREAMPIXEL_${name.toUpperCase().replaceAll('-', '_')}`;

/** Every input a flag sets: all but the command, which is the first argument. */
export const INPUT_FLAGS = Object.values(INPUT).filter((name) => name !== INPUT.command);

/** Inputs that are true or false: a bare `--auto-release` means true. */
export const BOOLEAN_INPUTS: readonly string[] = [
  INPUT.autoRelease,
  INPUT.failOnRejected,
  INPUT.failOnTimeout,
];

/**
 * The GitHub Deployment's inputs: its observer lives in src/action (it reads the runner's GITHUB_* context),
 * which the CLI may not import. Given to the CLI they are a problem, never silently ignored. So is the
 * handoff's dispatch: the CLI hands off with the bridge's handoff token, and such a handoff has no
 * repository to dispatch to.
 */
export const ACTION_ONLY_INPUTS: readonly string[] = [
  INPUT.environment,
  INPUT.environmentUrl,
  INPUT.githubToken,
  INPUT.dispatchOnOutcome,
];

/** The CLI's own flags, which the action has no input for. */
export const CLI_FLAG = {
  help: 'help',
  json: 'json',
  verbose: 'verbose',
  heartbeatSeconds: 'heartbeat-seconds',
  /** wait-via handoff: the bridge's BRIDGE_HANDOFF_TOKEN (the action uses the job's GitHub OIDC token). */
  handoffToken: 'handoff-token',
} as const;

export const DEFAULT_HEARTBEAT_SECONDS = 60;

/** How a problem names an input: the flag and its variable, or the command argument. */
export const labelOf = (input: string): string =>
  input === INPUT.command
    ? `<command> (first argument, or ${envVarOf(INPUT.command)})`
    : `--${input} (${envVarOf(input)})`;
