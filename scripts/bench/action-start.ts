// Action start to first API call: spawns the committed bundle as a runner does and times how long it
// takes until the simulator sees the upload-file request. Also reports the bundle's size.
import { statSync } from 'node:fs';
import { DEMO_API_KEY, DEMO_PROJECT_ID, DEMO_USER_ID, startSimulator } from '../../src/simulator/index.ts';
import { BUNDLE, runAction } from '../run-action.ts';
import { ms, percentile } from './stats.ts';

export async function benchActionStart(runs = 20): Promise<string[]> {
  const simulator = await startSimulator({
    users: [{ userId: DEMO_USER_ID, apiKey: DEMO_API_KEY }],
    projects: [{ projectId: DEMO_PROJECT_ID, userId: DEMO_USER_ID }],
    rateLimitWindowMs: 0,
  });
  const delays: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const spawnedAt = Date.now();
      const firstCall = simulator.waitFor('call', (call) => call.at >= spawnedAt, { timeoutMs: 10_000 });
      const run = await runAction({
        'api-key': DEMO_API_KEY,
        'user-id': DEMO_USER_ID,
        'project-id': DEMO_PROJECT_ID,
        'file-url': 'https://builds.example.com/game.zip',
        'wait-via': 'none',
        'api-base-url': simulator.url,
      });
      if (run.exitCode !== 0) throw new Error(`action failed: ${run.stdout}`);
      delays.push((await firstCall).at - spawnedAt);
    }
  } finally {
    await simulator.close();
  }
  const size = statSync(BUNDLE).size;
  return [
    `Action start to first API call (${runs} runs of node dist/action/index.js): p50 ${ms(percentile(delays, 50))}, p99 ${ms(percentile(delays, 99))}, max ${ms(Math.max(...delays))}`,
    `Action bundle: ${(size / 1024 / 1024).toFixed(2)} MB (${size} bytes)`,
  ];
}

if (import.meta.main) for (const line of await benchActionStart()) console.log(line);
