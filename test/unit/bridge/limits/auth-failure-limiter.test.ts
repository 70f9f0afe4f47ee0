import { describe, expect, it } from 'vitest';
import { createAuthFailureLimiter } from '../../../../src/bridge/limits/auth-failure-limiter.ts';

function clock() {
  let ms = 1_000;
  return { now: () => ms, advance: (by: number) => void (ms += by) };
}

const failures = (limiter: ReturnType<typeof createAuthFailureLimiter>, address: string, n: number) =>
  Array.from({ length: n }, () => limiter.fail(address));

describe('createAuthFailureLimiter', () => {
  it('allows a burst of perMinute failures, then limits with the seconds until the next one', () => {
    const time = clock();
    const limiter = createAuthFailureLimiter({ perMinute: 6, now: time.now });
    expect(failures(limiter, 'a', 6).every((v) => !v.limited)).toBe(true);
    expect(limiter.fail('a')).toEqual({ limited: true, retryAfterSeconds: 10 });
    time.advance(4_000);
    expect(limiter.fail('a')).toEqual({ limited: true, retryAfterSeconds: 6 });
    time.advance(6_000);
    expect(limiter.fail('a')).toEqual({ limited: false });
    expect(limiter.fail('a').limited).toBe(true);
  });

  it('refills at perMinute a minute, never above the burst', () => {
    const time = clock();
    const limiter = createAuthFailureLimiter({ perMinute: 60, now: time.now });
    failures(limiter, 'a', 60);
    expect(limiter.fail('a')).toEqual({ limited: true, retryAfterSeconds: 1 });
    time.advance(10_000);
    expect(failures(limiter, 'a', 10).every((v) => !v.limited)).toBe(true);
    expect(limiter.fail('a').limited).toBe(true);
    time.advance(3_600_000);
    expect(failures(limiter, 'a', 60).every((v) => !v.limited)).toBe(true);
    expect(limiter.fail('a').limited).toBe(true);
  });

  it('does not let refused requests dig the hole deeper', () => {
    const time = clock();
    const limiter = createAuthFailureLimiter({ perMinute: 60, now: time.now });
    failures(limiter, 'a', 60);
    failures(limiter, 'a', 1_000);
    time.advance(1_000);
    expect(limiter.fail('a')).toEqual({ limited: false });
  });

  it('counts each address on its own', () => {
    const limiter = createAuthFailureLimiter({ perMinute: 2, now: clock().now });
    failures(limiter, 'a', 2);
    expect(limiter.fail('a').limited).toBe(true);
    expect(limiter.fail('b').limited).toBe(false);
  });

  it('keeps at most maxAddresses, evicting the least recently failed', () => {
    const limiter = createAuthFailureLimiter({ perMinute: 1, maxAddresses: 3, now: clock().now });
    for (const address of ['a', 'b', 'c']) limiter.fail(address);
    expect(limiter.fail('a').limited).toBe(true); // a is now the most recent
    limiter.fail('d'); // evicts b
    expect(limiter.size).toBe(3);
    expect(limiter.fail('a').limited).toBe(true);
    expect(limiter.fail('c').limited).toBe(true);
    expect(limiter.fail('b').limited).toBe(false); // forgotten, so allowed again (and evicts d)
    expect(limiter.size).toBe(3);
  });

  it('stays bounded under a spray of addresses', () => {
    const limiter = createAuthFailureLimiter({ perMinute: 5, maxAddresses: 100, now: clock().now });
    for (let i = 0; i < 10_000; i += 1) limiter.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(100);
  });

  it('is off with perMinute 0', () => {
    const limiter = createAuthFailureLimiter({ perMinute: 0, now: clock().now });
    expect(failures(limiter, 'a', 10_000).every((v) => !v.limited)).toBe(true);
    expect(limiter.size).toBe(0);
  });
});
