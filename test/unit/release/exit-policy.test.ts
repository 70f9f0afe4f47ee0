import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../src/release/exit-policy.ts';
import type { Outcome } from '../../../src/wait/types.ts';

const result = (outcome: Outcome | null, failure: string | null = 'why') => ({
  outcome,
  failure,
  objection: null,
});
const strict = { failOnRejected: true, failOnTimeout: true };
const lenient = { failOnRejected: false, failOnTimeout: false };

describe('verdictOf', () => {
  it.each([
    ['approved', null, 'pass', 'pass'],
    ['succeeded', null, 'pass', 'pass'],
    // The bridge has the build: the job's part went well, whatever the outcome turns out to be.
    ['handed-off', null, 'pass', 'pass'],
    ['rejected', 'why', 'fail', 'warn'],
    ['failed', 'why', 'fail', 'warn'],
    ['cancelled', 'why', 'fail', 'warn'],
    ['timed-out', 'why', 'fail', 'warn'],
    [null, 'nothing was sent', 'fail', 'fail'],
    [null, 'a build may exist', 'fail', 'fail'],
  ] as const)('%s (%s): %s when strict, %s when lenient', (outcome, failure, whenStrict, whenLenient) => {
    expect(verdictOf(result(outcome, failure), strict)).toBe(whenStrict);
    expect(verdictOf(result(outcome, failure), lenient)).toBe(whenLenient);
  });

  it('keeps the two switches apart', () => {
    expect(verdictOf(result('timed-out'), { failOnRejected: false, failOnTimeout: true })).toBe('fail');
    expect(verdictOf(result('rejected'), { failOnRejected: true, failOnTimeout: false })).toBe('fail');
  });
});
