import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEMO_API_KEY, DEMO_PROJECT_ID, DEMO_USER_ID } from '../../src/simulator/index.ts';
import { shareCapturedOutput } from '../../scripts/captured-output.ts';
import { startBuiltBridge } from '../support/built-bridge.ts';
import { findSecrets } from '../support/secret-scan.ts';
import { PRESIGNED_FILE_URLS } from '../support/secrets.ts';

// Issue 6, "The suite": the simulator's log is scanned too. `npm run simulator` prints one line per API call
// and per delivery; a release with a presigned file URL, delivered to the bridge's hook URL (which holds the
// ingest token), must leave no secret in it. The demo account's api-key is printed on purpose (it is public).

const ENTRY = new URL('../../src/simulator/cli.ts', import.meta.url).pathname;

function startSimulatorCli(webhookUrl: string) {
  const child = spawn(
    process.execPath,
    [ENTRY, '--port', '0', '--time-scale', '0.001', '--webhook-url', webhookUrl],
    {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  shareCapturedOutput('simulator', () => output);
  const exited = once(child, 'exit');
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  /** Resolves once the log holds a line matching `pattern`; rejects if the process exits first. */
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (!match) return false;
        child.stdout.off('data', check);
        resolve(match);
        return true;
      };
      if (check()) return;
      child.stdout.on('data', check);
      void exited.then(() =>
        reject(new Error(`the simulator exited before printing ${pattern}:\n${output}`)),
      );
    });
  return { line, output: () => output, stop: () => (child.kill('SIGTERM'), exited) };
}

describe('npm run simulator', () => {
  it(
    'logs a release with a presigned file URL to the bridge without any secret',
    { timeout: 60_000 },
    async () => {
      const bridge = await startBuiltBridge(onTestFinished);
      const simulator = startSimulatorCli(bridge.hookUrl);
      const [, apiBase] = await simulator.line(/api-base-url (http:\/\/\S+)/);

      const upload = await fetch(`${apiBase}/projects/upload-file`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          apiKey: DEMO_API_KEY,
          userId: DEMO_USER_ID,
          projectId: DEMO_PROJECT_ID,
          fileUrl: PRESIGNED_FILE_URLS.matrix,
          autoRelease: true,
        }),
      });
      expect(upload.status).toBe(200);
      await simulator.line(/^delivery build\.approved .* 200 in/m);
      await simulator.stop();

      expect(simulator.output()).toMatch(/^call {5}POST \/projects\/upload-file → 200/m);
      expect(
        findSecrets('simulator', simulator.output()).map((hit) => `${hit.secret}: ${hit.excerpt}`),
      ).toEqual([]);
    },
  );
});
