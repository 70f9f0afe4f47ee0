import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { shareCapturedOutput } from './captured-output.ts';

export const BRIDGE_BUNDLE = new URL('../dist/bridge/index.js', import.meta.url).pathname;

export interface BridgeProcess {
  url: string;
  child: ChildProcess;
  /** Everything the bridge logged, for a reader who wants to see it. */
  log: () => string;
  /** SIGTERM, then wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the built bridge (`node dist/bridge/index.js`) as its own process, the way it is deployed, and
 * resolves once /readyz answers 200.
 */
export async function startBridgeProcess(
  env: Record<string, string>,
  entry = BRIDGE_BUNDLE,
): Promise<BridgeProcess> {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  shareCapturedOutput('bridge', () => output);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://${env.BRIDGE_HOST ?? '127.0.0.1'}:${env.BRIDGE_PORT}`;

  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the bridge exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (attempt > 200) throw new Error(`the bridge did not become ready:\n${output}`);
    await delay(25);
  }
  return {
    url,
    child,
    log: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
