import { expect, test } from 'vitest';
import { bearerToken } from '../../../src/github/oidc.ts';

test.each([
  ['Bearer abc.def.ghi', 'abc.def.ghi'],
  ['bearer   abc.def.ghi ', 'abc.def.ghi'],
  ['Basic dXNlcjpwdw==', undefined],
  ['Bearer', undefined],
  ['Bearer a b', undefined],
  ['', undefined],
  [undefined, undefined],
])('bearerToken(%o) is %o', (header, token) => {
  expect(bearerToken(header)).toBe(token);
});
