import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { parseBridgeConfig } from '../../src/bridge/config.ts';
import { startBridge, type RunningBridge, type StartBridgeOptions } from '../../src/bridge/main.ts';
import { BRIDGE_TOKENS } from './secrets.ts';

export const INGEST_TOKEN = BRIDGE_TOKENS.ingest;
export const READ_TOKEN = BRIDGE_TOKENS.read;

/**
 * A bridge on an embedded SQLite file in a temp folder; `restart` reopens the same file on the same port.
 * `options`: the test-only knobs of startBridge (the handoff worker's pace, where its notifications may go).
 */
export async function startTestBridge(
  extraEnv: Record<string, string> = {},
  options: Pick<StartBridgeOptions, 'handoffWorker' | 'handoffNotify'> = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-'));
  const env = (port: number) => ({
    ...extraEnv,
    BRIDGE_PORT: String(port),
    BRIDGE_HOST: '127.0.0.1',
    BRIDGE_DATABASE: join(dir, 'events.db'),
    BRIDGE_INGEST_TOKEN: INGEST_TOKEN,
    BRIDGE_READ_TOKEN: READ_TOKEN,
  });
  let bridge: RunningBridge = await startBridge({
    ...options,
    config: parseBridgeConfig(env(0)),
    logger: false,
  });
  const port = Number(new URL(bridge.url).port);
  onTestFinished(async () => {
    await bridge.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    url: bridge.url,
    hookUrl: `${bridge.url}/hooks/streampixel/${INGEST_TOKEN}`,
    /** The ingest URL of any provider. */
    hookUrlOf: (provider: string) => `${bridge.url}/hooks/${provider}/${INGEST_TOKEN}`,
    get current() {
      return bridge;
    },
    stop: () => bridge.close(),
    async start() {
      bridge = await startBridge({ ...options, config: parseBridgeConfig(env(port)), logger: false });
    },
  };
}
