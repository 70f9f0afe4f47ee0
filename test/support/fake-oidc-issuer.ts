import { onTestFinished } from 'vitest';
import {
  startFakeOidcIssuer as startServer,
  type FakeOidcIssuer,
} from '../../src/simulator/github/fake-oidc-issuer.ts';

// The GitHub simulator's OIDC issuer (src/simulator/github), closed when the test ends.

export {
  githubClaims,
  type FakeOidcIssuer,
  type MintOptions,
} from '../../src/simulator/github/fake-oidc-issuer.ts';

export async function startFakeOidcIssuer(options: { basePath?: string } = {}): Promise<FakeOidcIssuer> {
  const issuer = await startServer(options);
  onTestFinished(() => issuer.close());
  return issuer;
}
