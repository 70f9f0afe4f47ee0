import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { listenOnLoopback } from '../loopback.ts';
import type { FakeOidcIssuer } from './fake-oidc-issuer.ts';

// A loopback stand-in for the runner's ID-token endpoint: a job with `id-token: write` gets
// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, and `core.getIDToken(audience)` asks
// `GET <url>&audience=<audience>` with that bearer token for `{ value: <OIDC token> }`. Here the value is
// minted by the loopback issuer, so a bridge that trusts the issuer accepts it.

export interface TokenRequest {
  audience: string | null;
  /** Whether the request carried the right bearer token (the token itself is never kept). */
  authorized: boolean;
}

export interface RunnerTokenService {
  /** ACTIONS_ID_TOKEN_REQUEST_URL: the action appends `&audience=…`. */
  requestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN: generated at start; a secret, like the runner's. */
  requestToken: string;
  requests: readonly TokenRequest[];
  close(): Promise<void>;
}

export async function startRunnerTokenService(options: {
  issuer: FakeOidcIssuer;
  /** Claims to change in every token (GitHub's for acme/game otherwise). */
  claims?: Record<string, unknown>;
}): Promise<RunnerTokenService> {
  const requestToken = randomBytes(24).toString('base64url');
  const expected = Buffer.from(`Bearer ${requestToken}`);
  const requests: TokenRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://runner');
    const given = Buffer.from(req.headers.authorization ?? '');
    const authorized = given.length === expected.length && timingSafeEqual(given, expected);
    const audience = url.searchParams.get('audience');
    requests.push({ audience, authorized });
    if (req.method !== 'GET' || url.pathname !== '/_apis/token') {
      res.writeHead(404).end();
      return;
    }
    if (!authorized) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"unauthorized"}');
      return;
    }
    options.issuer.mint(audience ?? '', options.claims).then(
      (value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value })),
      () => res.writeHead(500).end(),
    );
  });
  const { origin, close } = await listenOnLoopback(server);
  return {
    requestUrl: `${origin}/_apis/token?api-version=2.0`,
    requestToken,
    requests,
    close,
  };
}
