import { describe, expect, it } from 'vitest';
import {
  MAX_JSON_DEPTH,
  parseJsonSafely,
  parseWellFormedJsonSafely,
} from '../../../src/webhooks/safe-json.ts';

const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const objects = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

describe('parseJsonSafely', () => {
  it.each([
    ['arrays', arrays],
    ['objects', objects],
  ])('takes %s nested up to the limit and refuses one level more', (_, nest) => {
    expect(parseJsonSafely(nest(MAX_JSON_DEPTH))).toEqual(JSON.parse(nest(MAX_JSON_DEPTH)));
    expect(parseJsonSafely(nest(MAX_JSON_DEPTH + 1))).toBeUndefined();
    expect(parseJsonSafely(nest(3), 3)).toEqual(JSON.parse(nest(3)));
    expect(parseJsonSafely(nest(4), 3)).toBeUndefined();
  });

  it('never returns a value that JSON.stringify cannot serialise again', () => {
    for (const depth of [MAX_JSON_DEPTH, 50_000]) {
      const value = parseJsonSafely(arrays(depth));
      expect(() => JSON.stringify(value)).not.toThrow();
    }
  });

  it('counts depth through arrays and objects alike, and not through scalars', () => {
    expect(parseJsonSafely('{"a":[{"b":[1,"x",null,true]}]}', 4)).toEqual({
      a: [{ b: [1, 'x', null, true] }],
    });
    expect(parseJsonSafely('{"a":[{"b":[[]]}]}', 4)).toBeUndefined();
    expect(parseJsonSafely('"text"', 0)).toBe('text');
  });

  it('drops prototype keys at any depth it accepts', () => {
    const value = parseJsonSafely('{"a":{"b":{"__proto__":{"x":1},"constructor":2,"ok":3}}}') as {
      a: { b: object };
    };
    expect(value).toEqual({ a: { b: { ok: 3 } } });
    expect(Object.hasOwn(value.a.b, '__proto__')).toBe(false);
  });

  it('is undefined for text that is not JSON', () => {
    expect(parseJsonSafely('{"a":')).toBeUndefined();
  });
});

describe('parseWellFormedJsonSafely', () => {
  it('says what is wrong: nothing, a lone surrogate, or too deep', () => {
    expect(parseWellFormedJsonSafely('{"a":["b"]}', 2)).toEqual({ json: { a: ['b'] }, shape: 'ok' });
    expect(parseWellFormedJsonSafely('{"a":["\\ud800"]}', 2)?.shape).toBe('not-well-formed');
    expect(parseWellFormedJsonSafely('{"\\udc00":1}', 2)?.shape).toBe('not-well-formed');
    expect(parseWellFormedJsonSafely('{"a":[["b"]]}', 2)?.shape).toBe('too-deep');
    expect(parseWellFormedJsonSafely('[', 2)).toBeUndefined();
  });
});
