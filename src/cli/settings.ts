import { checkInputs, INPUT, type Settings } from '../release/inputs.ts';
import { labelOf } from './flags.ts';

export type SettingsParse = { ok: true; settings: Settings } | { ok: false; problems: string[] };

/**
 * The inputs through the action's own rules (checkInputs), its problems named as the CLI's flags. Secrets
 * reach `setSecret` before any rule runs.
 */
export function parseSettings(
  inputs: Record<string, string>,
  setSecret: (value: string) => void,
  commandMissing: boolean,
): SettingsParse {
  // A missing command is reported by the CLI; '-' fails the command's rule, so no rule of a command
  // the user never chose (release's file-url, say) adds a problem.
  const source: Record<string, string> = { ...inputs, ...(commandMissing ? { [INPUT.command]: '-' } : {}) };
  const checked = checkInputs({ getInput: (name) => source[name] ?? '', setSecret });
  if (checked.ok) return checked;
  const problems = checked.problems
    .filter((problem) => !(commandMissing && problem.input === INPUT.command))
    .map((problem) => `${labelOf(problem.input)}: ${problem.message}`);
  return { ok: false, problems };
}
