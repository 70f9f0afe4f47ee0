import { describe, expect, it } from 'vitest';
import { createReorderBuffer } from '../../../src/simulator/reorder-buffer.ts';

describe('createReorderBuffer', () => {
  it('swaps adjacent pairs', () => {
    const buffer = createReorderBuffer<string>();
    const released = ['a', 'b', 'c', 'd'].flatMap((item) => buffer.push(item));
    expect(released).toEqual(['b', 'a', 'd', 'c']);
  });

  it('releases an unpaired item on flush, once', () => {
    const buffer = createReorderBuffer<string>();
    expect(buffer.push('a')).toEqual([]);
    expect(buffer.flush()).toEqual(['a']);
    expect(buffer.flush()).toEqual([]);
    expect(buffer.push('b')).toEqual([]);
    expect(buffer.push('c')).toEqual(['c', 'b']);
  });
});
