import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { listenOnLoopback } from '../loopback.ts';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

// A loopback stand-in for GitHub Actions' OIDC issuer: it serves its discovery document and its key set
// (RSA keys generated at start, never checked in), counts the fetches of each, and mints tokens the way a job's
// `core.getIDToken(audience)` receives them, with any claim or header changed. `rotate()` publishes a new key
// and signs with it from then on; `forge` signs with a key nobody publishes. Free of any test runner, so the
// demo uses it too; test/support/fake-oidc-issuer.ts closes it after each test.

export interface MintOptions {
  /** `current` (default): the published signing key; `foreign`: an unpublished key under the current kid. */
  signer?: 'current' | 'foreign';
  /** Header fields to set or replace (kid, typ, …). */
  header?: Record<string, unknown>;
  /** Seconds from now for iat/nbf/exp unless the claims set them: defaults 0, 0 and 300 (GitHub's 5 min). */
  expiresIn?: number;
}

export interface FakeOidcIssuer {
  /** http://127.0.0.1:<port>, plus the base path if any. */
  issuer: string;
  /** Fetches so far of the discovery document and the key set. */
  fetches: { discovery: number; jwks: number };
  /** The kid the next token is signed with. */
  readonly kid: string;
  /** A token from this issuer with GitHub's claims for `audience`, changed by `claims` (undefined deletes). */
  mint(audience: string, claims?: Record<string, unknown>, options?: MintOptions): Promise<string>;
  /** Header and claims as given, `alg: none`, no signature. */
  mintUnsigned(header: Record<string, unknown>, claims: Record<string, unknown>): string;
  /** HS256 with a shared secret (the classic "use the public key as an HMAC secret" forgery). */
  mintHs256(secret: Uint8Array, claims: Record<string, unknown>, kid?: string): Promise<string>;
  /** A new key signs from now on; the old one stays published unless `dropOld`. */
  rotate(options?: { dropOld?: boolean }): Promise<void>;
  /** The current public key as a JWK (for the HS256 forgery). */
  publicJwk(): JWK;
  /** Replaces fields of the discovery document (issuer, jwks_uri) from now on. */
  setDiscovery(fields: Record<string, unknown>): void;
  /** The next `times` fetches of `path` ('discovery' | 'jwks') answer `status`. */
  fail(what: 'discovery' | 'jwks', status: number, times?: number): void;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(kid: string = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export function githubClaims(issuer: string, audience: string): Record<string, unknown> {
  return {
    iss: issuer,
    aud: audience,
    sub: 'repo:acme/game:ref:refs/heads/main',
    jti: randomUUID(),
    ref: 'refs/heads/main',
    sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    repository: 'acme/game',
    repository_id: '123456789',
    repository_owner: 'acme',
    repository_owner_id: '987654',
    run_id: '5550001234',
    run_number: '42',
    run_attempt: '1',
    repository_visibility: 'private',
    actor: 'octocat',
    actor_id: '583231',
    workflow: 'Release',
    workflow_ref: 'acme/game/.github/workflows/release.yml@refs/heads/main',
    job_workflow_ref: 'acme/game/.github/workflows/release.yml@refs/heads/main',
    event_name: 'push',
    ref_type: 'branch',
    runner_environment: 'github-hosted',
  };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startFakeOidcIssuer(options: { basePath?: string } = {}): Promise<FakeOidcIssuer> {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  let signing = await newKey();
  let published: SigningKey[] = [signing];
  const fetches = { discovery: 0, jwks: 0 };
  const failures: Record<'discovery' | 'jwks', { status: number; times: number } | undefined> = {
    discovery: undefined,
    jwks: undefined,
  };
  let discoveryFields: Record<string, unknown> = {};

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://issuer').pathname;
    const what =
      path === `${basePath}/.well-known/openid-configuration`
        ? 'discovery'
        : path === `${basePath}/.well-known/jwks`
          ? 'jwks'
          : null;
    if (what === null || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    fetches[what]++;
    const failure = failures[what];
    if (failure && failure.times-- > 0) {
      res.writeHead(failure.status).end();
      return;
    }
    const body =
      what === 'jwks'
        ? { keys: published.map((key) => key.publicJwk) }
        : {
            issuer,
            jwks_uri: `${issuer}/.well-known/jwks`,
            subject_types_supported: ['public', 'pairwise'],
            response_types_supported: ['id_token'],
            claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository'],
            id_token_signing_alg_values_supported: ['RS256'],
            scopes_supported: ['openid'],
            ...discoveryFields,
          };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const { origin, close } = await listenOnLoopback(server);
  const issuer = `${origin}${basePath}`;

  const claimsFor = (audience: string, claims: Record<string, unknown>, expiresIn: number) => {
    const now = Math.floor(Date.now() / 1000);
    const merged: Record<string, unknown> = {
      ...githubClaims(issuer, audience),
      iat: now,
      nbf: now,
      exp: now + expiresIn,
      ...claims,
    };
    for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
    return merged as JWTPayload;
  };

  return {
    issuer,
    fetches,
    get kid() {
      return signing.kid;
    },
    async mint(audience, claims = {}, mintOptions = {}) {
      const key = mintOptions.signer === 'foreign' ? await newKey(signing.kid) : signing;
      return new SignJWT(claimsFor(audience, claims, mintOptions.expiresIn ?? 300))
        .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...mintOptions.header })
        .sign(key.privateKey);
    },
    mintUnsigned(header, claims) {
      return `${base64url({ alg: 'none', typ: 'JWT', ...header })}.${base64url(claims)}.`;
    },
    async mintHs256(secret, claims, kid = signing.kid) {
      return new SignJWT(claims as JWTPayload)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
        .sign(secret);
    },
    async rotate(rotateOptions = {}) {
      signing = await newKey();
      published = rotateOptions.dropOld ? [signing] : [...published, signing];
    },
    publicJwk: () => signing.publicJwk,
    setDiscovery(fields) {
      discoveryFields = fields;
    },
    fail(what, status, times = 1) {
      failures[what] = { status, times };
    },
    close,
  };
}
