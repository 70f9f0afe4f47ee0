import { describe, expect, it } from 'vitest';
import { bearerToken, createTokenCheck } from '../../../src/lib/token-check.ts';

describe('createTokenCheck', () => {
  const check = createTokenCheck('s3cret-token-0123456789');
  it.each([
    ['s3cret-token-0123456789', true],
    ['s3cret-token-012345678', false],
    ['s3cret-token-0123456789x', false],
    ['S3CRET-TOKEN-0123456789', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (candidate, expected) => expect(check(candidate)).toBe(expected));
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer   abc ', 'abc'],
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['Basic abc', undefined],
    ['Bearer abc def', undefined],
    ['abc', undefined],
    // An OIDC token as the handoff registration sends it.
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer   abc.def.ghi ', 'abc.def.ghi'],
    ['Basic dXNlcjpwdw==', undefined],
    ['Bearer a b', undefined],
    ['', undefined],
  ])('%j → %j', (header, expected) => expect(bearerToken(header)).toBe(expected));

  it('ignores absent and repeated headers', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(['Bearer a', 'Bearer b'])).toBeUndefined();
  });
});
