import { describe, expect, test } from 'vitest';
import { parseOidcConfig, parseRepositoryFullName } from '../../../src/github/oidc-config.ts';

const ON = { BRIDGE_PUBLIC_URL: 'https://bridge.example.com', BRIDGE_GITHUB_REPOS: 'acme/game' };

describe('parseOidcConfig', () => {
  test('off when neither the public URL nor the repositories are set', () => {
    expect(parseOidcConfig({})).toEqual({ ok: true, value: null });
    expect(parseOidcConfig({ BRIDGE_PUBLIC_URL: ' ', BRIDGE_GITHUB_REPOS: '' })).toEqual({
      ok: true,
      value: null,
    });
  });

  test('GitHub.com’s issuer by default; trailing slashes dropped; repositories lower-case, once each', () => {
    expect(
      parseOidcConfig({
        BRIDGE_PUBLIC_URL: 'https://bridge.example.com/',
        BRIDGE_GITHUB_REPOS: ' Acme/Game , acme/game,octo-org/my.repo_2 ,',
      }),
    ).toEqual({
      ok: true,
      value: {
        issuer: 'https://token.actions.githubusercontent.com',
        audience: 'https://bridge.example.com',
        repositories: ['acme/game', 'octo-org/my.repo_2'],
      },
    });
  });

  test.each([
    [
      'GitHub Enterprise Server',
      'https://ghes.example.com/_services/token/',
      'https://ghes.example.com/_services/token',
    ],
    ['a loopback issuer over http (tests)', 'http://127.0.0.1:4567', 'http://127.0.0.1:4567'],
  ])('the issuer of %s', (_, given, issuer) => {
    expect(parseOidcConfig({ ...ON, BRIDGE_OIDC_ISSUER: given })).toMatchObject({
      ok: true,
      value: { issuer },
    });
  });

  test.each([
    [
      { BRIDGE_OIDC_ISSUER: 'https://issuer.example.com' },
      ['BRIDGE_OIDC_ISSUER is set but the handoff is off'],
    ],
    [{ BRIDGE_PUBLIC_URL: 'https://bridge.example.com' }, ['BRIDGE_GITHUB_REPOS is required']],
    [{ BRIDGE_GITHUB_REPOS: 'acme/game' }, ['BRIDGE_PUBLIC_URL is required']],
    [{ ...ON, BRIDGE_OIDC_ISSUER: 'http://issuer.example.com' }, ['BRIDGE_OIDC_ISSUER must be an https URL']],
    [{ ...ON, BRIDGE_OIDC_ISSUER: 'issuer.example.com' }, ['BRIDGE_OIDC_ISSUER must be an https URL']],
    [
      { ...ON, BRIDGE_OIDC_ISSUER: 'https://issuer.example.com/?x=1' },
      ['BRIDGE_OIDC_ISSUER must be a URL without'],
    ],
    [{ ...ON, BRIDGE_PUBLIC_URL: 'ftp://bridge.example.com' }, ['BRIDGE_PUBLIC_URL must be the bridge']],
    [
      { ...ON, BRIDGE_PUBLIC_URL: 'https://user:secret-pw@bridge.example.com' },
      ['BRIDGE_PUBLIC_URL must be a URL without'],
    ],
    [{ ...ON, BRIDGE_GITHUB_REPOS: ',' }, ['BRIDGE_GITHUB_REPOS lists no repository']],
    [
      { ...ON, BRIDGE_GITHUB_REPOS: 'acme/game,secret-acme,acme/game/extra, ../x' },
      [
        'BRIDGE_GITHUB_REPOS entry 2 is not',
        'BRIDGE_GITHUB_REPOS entry 3 is not',
        'BRIDGE_GITHUB_REPOS entry 4 is not',
      ],
    ],
  ])('%o: every problem, named by variable', (env, starts) => {
    const parsed = parseOidcConfig(env);
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems).toHaveLength(starts.length);
    starts.forEach((start, i) =>
      expect(problems[i]).toMatch(new RegExp(`^${start.replace(/[.?]/g, '\\$&')}`)),
    );
    // Never a value: none of what was given appears in the problems.
    for (const value of Object.values(env).flatMap((text) => text.split(/[,/:@]/)))
      if (value.trim().length >= 4 && !/^https?$|example|^BRIDGE/.test(value.trim()))
        expect(problems.join('\n')).not.toContain(value.trim());
  });
});

describe('parseRepositoryFullName', () => {
  test.each([
    ['acme/game', { owner: 'acme', repo: 'game' }],
    ['Octo-Org/My.Repo_2', { owner: 'Octo-Org', repo: 'My.Repo_2' }],
    ['user_emu/x', { owner: 'user_emu', repo: 'x' }],
    ['acme', null],
    ['acme/', null],
    ['/game', null],
    ['acme/game/x', null],
    ['acme/..', null],
    ['-acme/game', null],
    ['acme/ga me', null],
    [`${'a'.repeat(40)}/game`, null],
  ])('%s', (text, expected) => {
    expect(parseRepositoryFullName(text)).toEqual(expected);
  });
});
