import { onTestFinished } from 'vitest';
import {
  startFakeGitHub as startServer,
  type FakeGitHub,
  type FakeGitHubOptions,
} from '../../src/simulator/github/fake-github.ts';

// The GitHub simulator's REST API (src/simulator/github), closed when the test ends.

export type {
  FakeAnswer,
  FakeGitHub,
  FakeGitHubState,
  RecordedCall,
  RouteHandler,
} from '../../src/simulator/github/fake-github.ts';

export async function startFakeGitHub(
  options: FakeGitHubOptions & {
    /** Close with onTestFinished (default true); false for a server shared across tests. */
    closeAfterTest?: boolean;
  } = {},
): Promise<FakeGitHub> {
  const github = await startServer(options);
  if (options.closeAfterTest !== false) onTestFinished(() => github.close());
  return github;
}
