import { describe, expect, test } from 'vitest';
import { deploymentDescription, MAX_DESCRIPTION_CHARS } from '../../../src/github/description.ts';

describe('deploymentDescription', () => {
  test.each([
    ['plain text is kept', 'Executable missing', 'Executable missing'],
    ['line breaks become one space', 'first\r\nsecond\nthird', 'first second third'],
    ['a forged workflow command stays on the line it came with', 'ok\n::error::forged', 'ok ::error::forged'],
    ['tabs and Unicode separators read as spaces', 'a\tb\u2028c\u2029d', 'a b c d'],
    ['other controls and bidi overrides are dropped', 'a\u0000b\u001bc\u202ed\u2066e', 'abcde'],
    ['runs of spaces collapse, ends are trimmed', '  a    b  ', 'a b'],
    ['a lone surrogate becomes U+FFFD', 'bad \ud800 text', 'bad \ufffd text'],
    ['empty stays empty', '\n\n', ''],
  ])('%s', (_name, input, expected) => {
    expect(deploymentDescription(input)).toBe(expected);
  });

  test('exactly 140 characters are kept whole', () => {
    const text = 'x'.repeat(MAX_DESCRIPTION_CHARS);
    expect(deploymentDescription(text)).toBe(text);
  });

  test('longer text is cut to 140 with an ellipsis', () => {
    const cut = deploymentDescription('y'.repeat(141));
    expect(cut).toHaveLength(MAX_DESCRIPTION_CHARS);
    expect(cut).toBe(`${'y'.repeat(139)}…`);
  });

  test('the cut never splits a character made of two UTF-16 units', () => {
    const cut = deploymentDescription(`${'z'.repeat(138)}😀😀😀`);
    expect(cut.isWellFormed()).toBe(true);
    expect(cut).toBe(`${'z'.repeat(138)}…`);
  });
});
