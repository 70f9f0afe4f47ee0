import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridgeProcess, type BridgeProcess } from '../../scripts/bridge-process.ts';
import { freePort } from '../../scripts/free-port.ts';
import { BRIDGE_TOKENS } from './secrets.ts';

/** Registers cleanup with the test that owns the bridge (a concurrent test passes its context's). */
export type OnFinished = (cleanup: () => Promise<void>) => void;

export interface BuiltBridge {
  url: string;
  /** Where Streampixel posts: holds the ingest token, so never log it. */
  hookUrl: string;
  readToken: string;
  /** Everything every incarnation of the bridge printed so far. */
  log(): string;
  /** Stops the bridge: SIGTERM (graceful) or SIGKILL (kill -9); resolves once the process has exited. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  /** Starts the bridge again on the same SQLite file and port; resolves once /readyz answers. */
  start(): Promise<void>;
}

/** The built bridge (dist/bridge/index.js) on an embedded SQLite file in a temp folder, on a free port. */
export async function startBuiltBridge(
  onFinished: OnFinished,
  extraEnv: Record<string, string> = {},
): Promise<BuiltBridge> {
  const dir = await mkdtemp(join(tmpdir(), 'built-bridge-'));
  const port = await freePort();
  const env = {
    ...extraEnv,
    BRIDGE_PORT: String(port),
    BRIDGE_HOST: '127.0.0.1',
    BRIDGE_DATABASE: join(dir, 'events.db'),
    BRIDGE_INGEST_TOKEN: BRIDGE_TOKENS.ingest,
    BRIDGE_READ_TOKEN: BRIDGE_TOKENS.read,
  };
  const logs: Array<() => string> = [];
  let current: BridgeProcess = await startBridgeProcess(env);
  logs.push(current.log);
  onFinished(async () => {
    await current.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    url: current.url,
    hookUrl: `${current.url}/hooks/streampixel/${BRIDGE_TOKENS.ingest}`,
    readToken: BRIDGE_TOKENS.read,
    log: () => logs.map((read) => read()).join('\n'),
    async stop(signal) {
      const { child } = current;
      if (child.exitCode !== null || child.signalCode !== null)
        return { exitCode: child.exitCode, signal: child.signalCode };
      const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (exitCode, exitSignal) => resolve({ exitCode, signal: exitSignal })),
      );
      child.kill(signal);
      return exited;
    },
    async start() {
      current = await startBridgeProcess(env);
      logs.push(current.log);
    },
  };
}
