import { describe, expect, it } from 'vitest';
import { displayText, logLine, markdownText } from '../../../src/webhooks/display-text.ts';

describe('displayText', () => {
  it.each([
    ['line\nbreak', 'line\\nbreak'],
    ['cr\r\n::set-output name=x::y', 'cr\\r\\n::set-output name=x::y'],
    ['tab\tand\u001b[31mansi', 'tab\\tand\\u001b[31mansi'],
    ['sep\u2028para\u2029', 'sep\\u2028para\\u2029'],
    ['bidi\u202eevil', 'bidi\\u202eevil'],
    ['nel\u0085', 'nel\\u0085'],
    ['lone\ud800', 'lone\ufffd'],
    ['ok ✓ 🎮', 'ok ✓ 🎮'],
  ])('%j → %j', (input, output) => expect(displayText(input)).toBe(output));

  it('shortens long text and says by how much', () => {
    expect(displayText('a'.repeat(250))).toBe(`${'a'.repeat(200)}… (50 more characters)`);
    expect(displayText('abc', 2)).toBe('ab… (1 more character)');
  });
});

describe('logLine', () => {
  it.each([
    ['::error::pwned', '› ::error::pwned'],
    ['  ::add-mask::x', '›   ::add-mask::x'],
    ['fine\n::set-output name=outcome::approved', 'fine\\n::set-output name=outcome::approved'],
    ['build.approved (Approved)', 'build.approved (Approved)'],
  ])('%j → %j', (input, output) => expect(logLine(input)).toBe(output));
});

describe('markdownText', () => {
  it('leaves letters, digits and spaces, and turns every ASCII symbol into a reference', () => {
    expect(markdownText('Build 7 [x](y) <b>')).toBe('Build 7 &#91;x&#93;&#40;y&#41; &#60;b&#62;');
    expect(markdownText('ünïcode ✓')).toBe('ünïcode ✓');
  });
});
