import { OUTPUT } from '../release/outputs.ts';
import { ciSafeJson } from './ci-safe.ts';
import type { Mask } from './mask.ts';

// --json: the action's outputs, by the same names, as one object on stdout once the run ends. Outputs the
// action writes as JSON text (events, playback-ids) are embedded as JSON, duration-seconds as a number, so
// `jq '.events[].event'` works; `failure` (not an output of the action) says why the run did not pass.

const JSON_VALUED: readonly string[] = [OUTPUT.events, OUTPUT.playbackIds];

export function createJsonOutput() {
  const values = new Map<string, unknown>();
  return {
    set(name: string, value: string): void {
      if (JSON_VALUED.includes(name)) values.set(name, JSON.parse(value));
      else if (name === OUTPUT.durationSeconds) values.set(name, Number(value));
      else values.set(name, value);
    },
    get: (name: string): unknown => values.get(name),
    /** The object as one line; secrets masked (each string value on its own, so the JSON stays valid). */
    render(mask: Mask, failure: string | null): string {
      const object: Record<string, unknown> = Object.fromEntries(values);
      if (failure) object.failure = failure;
      const json = JSON.stringify(object, (_key, value: unknown) =>
        typeof value === 'string' ? mask.apply(value) : value,
      );
      return `${ciSafeJson(json)}\n`;
    },
  };
}
export type JsonOutput = ReturnType<typeof createJsonOutput>;
