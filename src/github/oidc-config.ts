import type { Parsed } from '../webhooks/provider-secrets.ts';

// What the handoff's registration check needs (DESIGN §10): whose tokens to trust (the issuer), the audience
// they must carry (this bridge's public URL) and the repositories allowed to hand off. Problems name the
// variable, never its value; the caller lists them with the rest of the bridge's configuration.

export const OIDC_ENV = {
  issuer: 'BRIDGE_OIDC_ISSUER',
  publicUrl: 'BRIDGE_PUBLIC_URL',
  repositories: 'BRIDGE_GITHUB_REPOS',
} as const;

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

export interface OidcConfig {
  /** No trailing slash: it is compared with the token's `iss` as text. */
  issuer: string;
  /** BRIDGE_PUBLIC_URL without a trailing slash: the audience the job asks GitHub for. */
  audience: string;
  /** `owner/name`, lower-case (GitHub's names are case-insensitive). */
  repositories: readonly string[];
}

export interface RepositoryName {
  owner: string;
  repo: string;
}

// GitHub's own limits: an account name of 39 characters (`_` for managed users), a repository name of 100.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** `owner/name` → its parts, or null when it is not a GitHub repository's full name. */
export function parseRepositoryFullName(text: string): RepositoryName | null {
  const [owner = '', repo = '', ...rest] = text.trim().split('/');
  if (rest.length > 0 || !OWNER.test(owner) || !REPO.test(repo) || repo === '.' || repo === '..') return null;
  return { owner, repo };
}

const isLoopback = (url: URL) => ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);

/**
 * Environment → the OIDC settings, `null` when the handoff is off (neither BRIDGE_PUBLIC_URL nor
 * BRIDGE_GITHUB_REPOS set), or every problem at once.
 */
export function parseOidcConfig(env: NodeJS.ProcessEnv): Parsed<OidcConfig | null> {
  const given = (name: string) => env[name]?.trim() || undefined;
  const issuerText = given(OIDC_ENV.issuer);
  const publicUrlText = given(OIDC_ENV.publicUrl);
  const repositoriesText = given(OIDC_ENV.repositories);
  if (publicUrlText === undefined && repositoriesText === undefined) {
    return issuerText === undefined
      ? { ok: true, value: null }
      : {
          ok: false,
          problems: [
            `${OIDC_ENV.issuer} is set but the handoff is off: set ${OIDC_ENV.publicUrl} and ${OIDC_ENV.repositories}`,
          ],
        };
  }

  const problems: string[] = [];
  const issuer = (issuerText ?? GITHUB_ACTIONS_ISSUER).replace(/\/+$/, '');
  const issuerUrl = URL.canParse(issuer) ? new URL(issuer) : null;
  // The keys that decide who may release are fetched from here: plain HTTP only where nobody sits between.
  if (
    !issuerUrl ||
    !(issuerUrl.protocol === 'https:' || (issuerUrl.protocol === 'http:' && isLoopback(issuerUrl)))
  )
    problems.push(`${OIDC_ENV.issuer} must be an https URL (http only for a loopback address)`);
  else if (
    issuerUrl.search !== '' ||
    issuerUrl.hash !== '' ||
    issuerUrl.username !== '' ||
    issuerUrl.password !== ''
  )
    problems.push(`${OIDC_ENV.issuer} must be a URL without credentials, query or fragment`);

  let audience = '';
  if (publicUrlText === undefined)
    problems.push(
      `${OIDC_ENV.publicUrl} is required with ${OIDC_ENV.repositories} (the audience of the jobs' OIDC tokens)`,
    );
  else {
    audience = publicUrlText.replace(/\/+$/, '');
    const url = URL.canParse(audience) ? new URL(audience) : null;
    if (!url || !/^https?:$/.test(url.protocol))
      problems.push(`${OIDC_ENV.publicUrl} must be the bridge's http(s) URL`);
    else if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
      problems.push(`${OIDC_ENV.publicUrl} must be a URL without credentials, query or fragment`);
  }

  const repositories: string[] = [];
  if (repositoriesText === undefined)
    problems.push(
      `${OIDC_ENV.repositories} is required with ${OIDC_ENV.publicUrl} (owner/name, comma-separated)`,
    );
  else {
    const entries = repositoriesText.split(',').map((entry) => entry.trim());
    entries.forEach((entry, index) => {
      if (entry === '') return;
      const name = parseRepositoryFullName(entry);
      if (name) repositories.push(`${name.owner}/${name.repo}`.toLowerCase());
      else problems.push(`${OIDC_ENV.repositories} entry ${index + 1} is not a repository's owner/name`);
    });
    if (repositories.length === 0 && problems.every((problem) => !problem.startsWith(OIDC_ENV.repositories)))
      problems.push(`${OIDC_ENV.repositories} lists no repository`);
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { issuer, audience, repositories: [...new Set(repositories)] } };
}
