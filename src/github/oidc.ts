import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from 'jose';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import { parseRepositoryFullName } from './oidc-config.ts';

// The handoff's registration is authenticated by the job's GitHub Actions OIDC token (DESIGN §10): a JWT
// signed with one of the issuer's published RS256 keys, for this bridge's URL, naming the repository the job
// runs in. The repository the bridge then acts on is that claim, never a field of the request, so the
// allowlist is the whole authorisation. Refusals are a stable code and a sentence; neither ever holds the
// token (nor a part of it), so a caller may log and answer both as they are.

export const OIDC_REFUSAL = {
  missingToken: 'missing-token',
  malformed: 'malformed',
  wrongAlgorithm: 'wrong-algorithm',
  unknownKey: 'unknown-key',
  badSignature: 'bad-signature',
  wrongIssuer: 'wrong-issuer',
  wrongAudience: 'wrong-audience',
  expired: 'expired',
  notYetValid: 'not-yet-valid',
  missingClaims: 'missing-claims',
  repositoryNotAllowed: 'repository-not-allowed',
  /** The issuer's keys could not be read: nobody's fault the caller can fix, so 503 and "try again". */
  issuerUnavailable: 'issuer-unavailable',
} as const;
export type OidcRefusalReason = (typeof OIDC_REFUSAL)[keyof typeof OIDC_REFUSAL];

const MESSAGES: Record<OidcRefusalReason, string> = {
  'missing-token': 'no GitHub OIDC token was sent (the job needs `permissions: id-token: write`)',
  malformed: 'the OIDC token is not a well-formed JWT',
  'wrong-algorithm': 'the OIDC token is not signed with RS256',
  'unknown-key': 'the OIDC token is signed with a key the issuer does not publish',
  'bad-signature': 'the OIDC token’s signature does not verify',
  'wrong-issuer': 'the OIDC token comes from another issuer than the configured one',
  'wrong-audience': 'the OIDC token is for another audience than this bridge’s URL (BRIDGE_PUBLIC_URL)',
  expired: 'the OIDC token has expired',
  'not-yet-valid': 'the OIDC token is not valid yet (check the clocks)',
  'missing-claims': 'the OIDC token lacks the GitHub Actions claims (repository, ref, sha, run_id, …)',
  'repository-not-allowed': 'the repository is not in BRIDGE_GITHUB_REPOS',
  'issuer-unavailable': 'the OIDC issuer’s keys could not be read; try again later',
};

const STATUS: Record<OidcRefusalReason, 401 | 403 | 503> = {
  ...(Object.fromEntries(Object.values(OIDC_REFUSAL).map((reason) => [reason, 401])) as Record<
    OidcRefusalReason,
    401
  >),
  'repository-not-allowed': 403,
  'issuer-unavailable': 503,
};

// GitHub's claims are all strings (run_id too). Those a handoff needs are required; the rest kept if sent.
const GitHubClaimsSchema = z
  .object({
    sub: z.string(),
    repository: z.string().refine((text) => parseRepositoryFullName(text) !== null),
    repository_id: z.string().optional(),
    repository_owner: z.string().optional(),
    ref: z.string(),
    sha: z.string(),
    run_id: z.string(),
    run_attempt: z.string().optional(),
    workflow: z.string(),
    workflow_ref: z.string().optional(),
    job_workflow_ref: z.string().optional(),
    actor: z.string(),
    event_name: z.string().optional(),
    environment: z.string().optional(),
  })
  .transform((claims) => ({
    repository: claims.repository,
    repositoryId: claims.repository_id,
    repositoryOwner: claims.repository_owner,
    ref: claims.ref,
    sha: claims.sha,
    runId: claims.run_id,
    runAttempt: claims.run_attempt,
    workflow: claims.workflow,
    workflowRef: claims.workflow_ref,
    jobWorkflowRef: claims.job_workflow_ref,
    actor: claims.actor,
    eventName: claims.event_name,
    environment: claims.environment,
    subject: claims.sub,
  }));
export type GitHubOidcClaims = z.output<typeof GitHubClaimsSchema>;

export type OidcVerification =
  | { ok: true; claims: GitHubOidcClaims }
  | { ok: false; status: 401 | 403 | 503; reason: OidcRefusalReason; message: string };

export interface OidcVerifierOptions {
  /** OidcConfig.issuer: https://token.actions.githubusercontent.com, GHES's https://<host>/_services/token. */
  issuer: string;
  /** OidcConfig.audience: the bridge's public URL (a trailing slash on either side is ignored). */
  audience: string;
  /** `owner/name`, any case. */
  repositories: readonly string[];
  dispatcher?: Dispatcher;
  /** Per fetch of the discovery document or the keys (default 5 s). */
  timeoutMs?: number;
  /** Seconds of clock difference allowed on exp, nbf and iat (default 60). */
  clockToleranceSeconds?: number;
  /**
   * After fetching the keys, an unknown key id waits this long before the next fetch (default 30 s, jose's):
   * a stream of forged key ids must not become a stream of fetches at the issuer.
   */
  jwksCooldownMs?: number;
  /** Milliseconds since the epoch, for the claims' times. */
  now?: () => number;
}

export interface OidcVerifier {
  verify(token: string | undefined | null): Promise<OidcVerification>;
}

const ALGORITHM = 'RS256';
/** GitHub's tokens are 1-2 KB; a header far larger is not one, and is not worth decoding. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** A discovery document and a key set are a few KiB; anything past this is not one of them. */
const MAX_DOCUMENT_BYTES = 256 * 1024;

export function createOidcVerifier(options: OidcVerifierOptions): OidcVerifier {
  const issuer = options.issuer.replace(/\/+$/, '');
  const audience = options.audience.replace(/\/+$/, '');
  const allowed = new Set(options.repositories.map((name) => name.toLowerCase()));
  const timeoutMs = options.timeoutMs ?? 5_000;
  const fetchDocument = createDocumentFetch(new URL(issuer).origin, options.dispatcher, timeoutMs);
  let keySet: Promise<JWTVerifyGetKey> | undefined;

  // Found once through the issuer's discovery document; jose then caches the keys and refetches on an
  // unknown key id. A failed discovery is forgotten, so the next token tries again.
  const keys = () => {
    keySet ??= discoverKeySet(issuer, fetchDocument, options, timeoutMs).catch((error: unknown) => {
      keySet = undefined;
      throw error;
    });
    return keySet;
  };

  const refuse = (reason: OidcRefusalReason, message = MESSAGES[reason]): OidcVerification => ({
    ok: false,
    status: STATUS[reason],
    reason,
    message,
  });

  return {
    async verify(token) {
      if (typeof token !== 'string' || token.trim() === '') return refuse('missing-token');
      if (token.length > MAX_TOKEN_LENGTH) return refuse('malformed');
      // Checked before any key is fetched: a token that cannot pass costs the issuer nothing.
      let algorithm: unknown;
      try {
        algorithm = decodeProtectedHeader(token).alg;
        decodeJwt(token);
      } catch {
        return refuse('malformed');
      }
      if (algorithm !== ALGORITHM) return refuse('wrong-algorithm');

      let payload: unknown;
      try {
        const getKey = await keys().catch((error: unknown) => {
          throw new KeysUnavailable(error);
        });
        ({ payload } = await jwtVerify(token, getKey, {
          issuer,
          audience: [audience, `${audience}/`],
          algorithms: [ALGORITHM],
          requiredClaims: ['exp', 'iss', 'aud'],
          clockTolerance: options.clockToleranceSeconds ?? 60,
          ...(options.now ? { currentDate: new Date(options.now()) } : {}),
        }));
      } catch (error) {
        return refuse(refusalOf(error));
      }

      const claims = GitHubClaimsSchema.safeParse(payload);
      if (!claims.success) return refuse('missing-claims');
      const { repository } = claims.data;
      if (!allowed.has(repository.toLowerCase()))
        return refuse('repository-not-allowed', `the repository ${repository} is not in BRIDGE_GITHUB_REPOS`);
      return { ok: true, claims: claims.data };
    },
  };
}

class KeysUnavailable extends Error {
  constructor(cause: unknown) {
    super('the OIDC issuer’s keys could not be read', { cause });
  }
}

function refusalOf(error: unknown): OidcRefusalReason {
  if (error instanceof KeysUnavailable) return 'issuer-unavailable';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'wrong-issuer';
    if (error.claim === 'aud') return 'wrong-audience';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not-yet-valid';
    return error.reason === 'missing' && error.claim === 'exp' ? 'missing-claims' : 'malformed';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return 'unknown-key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'wrong-algorithm';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed';
  // The key set's own failures (timeout, a non-200, not JSON, not a key set) and anything unforeseen: the
  // keys could not be used, which is no verdict on the token.
  return 'issuer-unavailable';
}

type DocumentFetch = (url: string, signal: AbortSignal) => Promise<{ status: number; text: string }>;

/** GET of a small JSON document from the issuer's origin only, no redirect followed, size capped. */
function createDocumentFetch(
  origin: string,
  dispatcher: Dispatcher | undefined,
  timeoutMs: number,
): DocumentFetch {
  return async (url, signal) => {
    if (new URL(url).origin !== origin) throw new Error('the OIDC issuer pointed outside its own origin');
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'streampixel-release-bridge' },
      dispatcher,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_DOCUMENT_BYTES) {
        response.body.destroy();
        throw new Error('the OIDC issuer’s answer is too large');
      }
      chunks.push(chunk);
    }
    return { status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') };
  };
}

const DiscoverySchema = z.object({ issuer: z.string(), jwks_uri: z.string() });

async function discoverKeySet(
  issuer: string,
  fetchDocument: DocumentFetch,
  options: OidcVerifierOptions,
  timeoutMs: number,
): Promise<JWTVerifyGetKey> {
  const answer = await fetchDocument(
    `${issuer}/.well-known/openid-configuration`,
    AbortSignal.timeout(timeoutMs),
  );
  if (answer.status !== 200) throw new Error(`the OIDC discovery document answered ${answer.status}`);
  const discovery = DiscoverySchema.safeParse(parseJsonSafely(answer.text));
  if (!discovery.success) throw new Error('the OIDC discovery document lacks issuer or jwks_uri');
  // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from.
  if (discovery.data.issuer.replace(/\/+$/, '') !== issuer)
    throw new Error('the OIDC discovery document names another issuer');
  const jwksUri = URL.canParse(discovery.data.jwks_uri) ? new URL(discovery.data.jwks_uri) : null;
  if (!jwksUri || jwksUri.origin !== new URL(issuer).origin)
    throw new Error('the OIDC discovery document’s jwks_uri is not on the issuer’s origin');

  // jose fetches the key set with global fetch unless given its own: this one goes through the injected
  // dispatcher, refuses any other URL than the discovered one and caps the size.
  const fetchKeys: FetchImplementation = async (url, init) => {
    if (url !== jwksUri.href) throw new Error('jose asked for another URL than the jwks_uri');
    const { status, text } = await fetchDocument(url, init.signal);
    return new Response(text, { status, headers: { 'content-type': 'application/json' } });
  };
  return createRemoteJWKSet(jwksUri, {
    timeoutDuration: timeoutMs,
    ...(options.jwksCooldownMs === undefined ? {} : { cooldownDuration: options.jwksCooldownMs }),
    [customFetch]: fetchKeys,
  });
}
