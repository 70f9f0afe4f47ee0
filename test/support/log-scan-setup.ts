import { format } from 'node:util';
import { afterAll } from 'vitest';
import { installCapturedOutputSink } from '../../scripts/captured-output.ts';
import { createLogRecorder, type LogRecorder } from './log-recorder.ts';
import { describeHits, findSecrets } from './secret-scan.ts';

// A vitest setup file (vitest.config.ts `setupFiles`), so no test file can forget it: everything a test
// file's worker writes to stdout, stderr or the console, and everything the processes its helpers start
// print (scripts/run-action.ts, scripts/bridge-process.ts and the simulator CLI test share it through
// scripts/captured-output.ts), is scanned for the test secrets of test/support/secrets.ts when the file
// ends. Any hit fails the file, naming the source, the line and the secret (never printing it).

// The stream patches outlive one file (a worker may run several); they write to the current file's recorder.
const CURRENT = Symbol.for('streampixel-release.log-recorder');
const PATCHED = Symbol.for('streampixel-release.log-scan-patched');
type Global = typeof globalThis & { [CURRENT]?: LogRecorder; [PATCHED]?: boolean };
const global = globalThis as Global;

const recorder = createLogRecorder();
global[CURRENT] = recorder;
const uninstall = installCapturedOutputSink((source, read) => recorder.share(source, read));

if (!global[PATCHED]) {
  global[PATCHED] = true;
  for (const [name, stream] of [
    ['worker stdout', process.stdout],
    ['worker stderr', process.stderr],
  ] as const) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      global[CURRENT]?.write(
        name,
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(),
      );
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

// vitest gives each file a console of its own that reports to the main process, not through stdout.
const WRAPPED = Symbol.for('streampixel-release.console-wrapped');
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[method] as ((...args: unknown[]) => void) & { [WRAPPED]?: true };
  if (original[WRAPPED]) continue;
  const wrapped = Object.assign(
    (...args: unknown[]) => {
      global[CURRENT]?.write('worker console', `${format(...args)}\n`);
      original.apply(console, args);
    },
    { [WRAPPED]: true as const },
  );
  console[method] = wrapped;
}

afterAll(() => {
  uninstall();
  const hits = recorder.texts().flatMap(({ source, text }) => findSecrets(source, text));
  if (hits.length > 0) throw new Error(`Secret scan: ${describeHits(hits)}`);
});
