import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Scans every log line of every test file (worker, action, bridge, simulator) for test secrets.
    setupFiles: ['test/support/log-scan-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // expect.poll waits for what another process or the event loop does (a disconnect registered, a call
    // recorded): 1 s, vitest's default, is a race on a loaded 2-core machine; a passing poll still ends at once.
    expect: { poll: { timeout: 10_000 } },
  },
});
