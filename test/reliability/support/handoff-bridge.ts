import { parseBridgeConfig } from '../../../src/bridge/config.ts';
import { startBridge } from '../../../src/bridge/main.ts';

// The bridge process of the handoff kill -9 test: the real startBridge, configured from BRIDGE_* as
// deployed, but with a 1 s lease instead of 60 s, so the restarted process takes the dead one's handoff over
// in about a second rather than a minute.
await startBridge({
  config: parseBridgeConfig(process.env),
  logger: { level: 'info' },
  handoffWorker: { leaseMs: 1_000, intervalMs: 100 },
});
