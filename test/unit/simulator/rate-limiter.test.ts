import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/simulator/rate-limiter.ts';

describe('createRateLimiter', () => {
  it('limits a key for one window after an accepted request, and only that key', () => {
    let now = 1_000;
    const limiter = createRateLimiter(120_000, () => now);
    expect(limiter.isLimited('u1\nupload-file')).toBe(false);
    limiter.record('u1\nupload-file');
    expect(limiter.isLimited('u1\nupload-file')).toBe(true);
    expect(limiter.isLimited('u1\ndistribute-file')).toBe(false);
    expect(limiter.isLimited('u2\nupload-file')).toBe(false);
    now += 119_999;
    expect(limiter.isLimited('u1\nupload-file')).toBe(true);
    now += 1;
    expect(limiter.isLimited('u1\nupload-file')).toBe(false);
  });

  it('does not restart the window when a request is refused', () => {
    let now = 0;
    const limiter = createRateLimiter(100, () => now);
    limiter.record('k');
    now = 90;
    expect(limiter.isLimited('k')).toBe(true);
    now = 100;
    expect(limiter.isLimited('k')).toBe(false);
  });

  it('never limits with a zero window', () => {
    const limiter = createRateLimiter(0, () => 0);
    limiter.record('k');
    expect(limiter.isLimited('k')).toBe(false);
  });
});
