import { INPUT, parseInputs, type Settings } from '../release/inputs.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import { labelOf } from './flags.ts';

export type SettingsParse = { ok: true; settings: Settings } | { ok: false; problems: string[] };

/**
 * The inputs through the action's own rules (parseInputs), its problems named as the CLI's flags. Secrets
 * reach `setSecret` before any rule runs. parseInputs gives its problems only inside one message (`- name:
 * problem` lines), which is read back here; a list of problems from src/release would spare that.
 */
export function parseSettings(
  inputs: Record<string, string>,
  setSecret: (value: string) => void,
  commandMissing: boolean,
): SettingsParse {
  try {
    // A missing command is reported by the CLI; '-' fails the command's rule, so no rule of a command
    // the user never chose (release's file-url, say) adds a problem.
    const source: Record<string, string> = { ...inputs, ...(commandMissing ? { [INPUT.command]: '-' } : {}) };
    return { ok: true, settings: parseInputs({ getInput: (name) => source[name] ?? '', setSecret }) };
  } catch (error) {
    if (!(error instanceof ReleaseError) || error.code !== ERROR_CODE.invalidInputs) throw error;
    const problems = error.message
      .split('\n')
      .flatMap((line) => {
        const match = /^- ([a-z-]+): (.*)$/.exec(line);
        return match ? [{ input: match[1]!, message: match[2]! }] : [];
      })
      .filter((problem) => !(commandMissing && problem.input === INPUT.command))
      .map((problem) => `${labelOf(problem.input)}: ${problem.message}`);
    return { ok: false, problems };
  }
}
