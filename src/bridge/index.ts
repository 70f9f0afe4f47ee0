#!/usr/bin/env node
import { messageOf } from '../lib/error-message.ts';
import { run } from './main.ts';

// `node dist/bridge/index.js` and the `release-bridge` bin. Configuration: BRIDGE_* environment variables
// (see config.ts and the README).
run().catch((error: unknown) => {
  process.stderr.write(`The release bridge failed: ${messageOf(error)}\n`);
  process.exit(1);
});
