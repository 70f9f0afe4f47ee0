import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFY_ON, parseNotifyOn, shouldNotify } from '../../../../src/release/notify/notify-on.ts';
import { NOTIFY_OUTCOMES, type NotifyOutcome } from '../../../../src/release/notify/report.ts';

const parsed = (text: string): NotifyOutcome[] => {
  const result = parseNotifyOn(text);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return [...result.value].sort();
};

describe('parseNotifyOn', () => {
  it.each([
    ['', ['rejected', 'timed-out']],
    ['   ', ['rejected', 'timed-out']],
    [DEFAULT_NOTIFY_ON, ['rejected', 'timed-out']],
    ['approved', ['approved']],
    ['Rejected, TIMED-OUT', ['rejected', 'timed-out']],
    ['failed\ncancelled  error', ['cancelled', 'error', 'failed']],
    ['rejected,,rejected,', ['rejected']],
    ['handed-off', ['handed-off']],
  ])('%j → %j', (text, outcomes) => {
    expect(parsed(text)).toEqual([...outcomes].sort());
  });

  it('always means every outcome, alone or in a list', () => {
    expect(parsed('always')).toEqual([...NOTIFY_OUTCOMES].sort());
    expect(parsed('rejected, always')).toEqual([...NOTIFY_OUTCOMES].sort());
  });

  it('lists every unknown name as a problem, with the names it takes', () => {
    const result = parseNotifyOn('rejectd, approved, sucess');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toMatch(
      /^"rejectd" is not an outcome: use always, or any of approved, rejected, /,
    );
    expect(result.problems[1]).toMatch(/^"sucess" is not an outcome/);
  });

  it('shows an unknown name safely and briefly', () => {
    const result = parseNotifyOn(`::error::${'x'.repeat(100)}\u202e`);
    expect(result.ok ? '' : result.problems[0]).toMatch(/^"::error::x+… \(\d+ more characters\)" is not/);
  });
});

describe('shouldNotify', () => {
  it('by default, on a rejection or a timeout only', () => {
    const result = parseNotifyOn('');
    if (!result.ok) throw new Error('default must parse');
    const sent = NOTIFY_OUTCOMES.filter((outcome) => shouldNotify(result.value, outcome));
    expect(sent).toEqual(['rejected', 'timed-out']);
  });
});
