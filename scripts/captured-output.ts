// What the processes a test starts print (the built action, the built bridge) is handed to a sink the test
// run installs (test/support/log-scan-setup.ts scans it for secrets). Outside a test run no sink is
// installed and sharing does nothing, so the demo and the benchmarks are unaffected.

/** Receives a reader of everything one source printed so far; the sink reads it when it scans. */
export type CapturedOutputSink = (source: string, read: () => string) => void;

// On globalThis rather than in module state, so every copy of this module in a worker finds the one sink.
const SINK = Symbol.for('streampixel-release.captured-output-sink');
type WithSink = typeof globalThis & { [SINK]?: CapturedOutputSink };

export function shareCapturedOutput(source: string, read: () => string): void {
  (globalThis as WithSink)[SINK]?.(source, read);
}

/** Installs the sink for this process; returns a function that removes it. */
export function installCapturedOutputSink(sink: CapturedOutputSink): () => void {
  (globalThis as WithSink)[SINK] = sink;
  return () => {
    if ((globalThis as WithSink)[SINK] === sink) delete (globalThis as WithSink)[SINK];
  };
}
