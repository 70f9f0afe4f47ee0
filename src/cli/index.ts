#!/usr/bin/env node
import { run } from './main.ts';

// `streampixel-release` (the bin) and `node dist/cli/index.js`: only the process's own streams, variables,
// signals and exit code are wired here.

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onInterrupt(handler) {
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
  exit: (exitCode) => process.exit(exitCode),
});
process.exitCode = code;
// Stdout and stderr are flushed by a natural exit; a socket or timer left open must not hold the process.
setTimeout(() => process.exit(code), 2_000).unref();
