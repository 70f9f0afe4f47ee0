import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Scans every log line of every test file (worker, action, bridge, simulator) for test secrets.
    setupFiles: ['test/support/log-scan-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
