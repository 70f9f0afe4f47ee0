import { describe, expect, it } from 'vitest';
import { actionHandoff } from '../../../src/action/handoff.ts';
import { parseInputs } from '../../../src/release/inputs.ts';
import { ReleaseError } from '../../../src/streampixel/errors.ts';

// The action's registrar without a network: its pre-flight reads the runner's variables, and a token GitHub
// will not give ends the registration before any request to the bridge.

const settings = parseInputs({
  getInput: (name) =>
    ({
      'api-key': 'k',
      'user-id': 'u',
      'project-id': 'proj-1',
      'file-url': 'https://builds.example/game.zip',
      'wait-via': 'handoff',
      'bridge-url': 'https://bridge.example/',
      'bridge-token': 'read-token',
    })[name] ?? '',
  setSecret: () => {},
});
const RUNNER = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner.example/token?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
};
const FACTS = {
  subject: 'up-1',
  projectId: 'proj-1',
  command: 'release' as const,
  countFrom: null,
  deadline: Date.parse('2026-12-01T12:00:00Z'),
};

describe('actionHandoff', () => {
  it.each([
    ['neither variable', {}],
    ['no request URL', { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' }],
    ['no request token', { ACTIONS_ID_TOKEN_REQUEST_URL: RUNNER.ACTIONS_ID_TOKEN_REQUEST_URL }],
  ])('pre-flight fails with %s: the job lacks id-token: write', async (_name, env) => {
    const registrar = actionHandoff({
      settings,
      env,
      getIdToken: async () => 'jwt',
      deployment: async () => null,
    });
    await expect(registrar.preflight()).rejects.toThrow(
      /add `permissions: id-token: write` to the job .*Nothing was sent to Streampixel/,
    );
  });

  it('passes pre-flight with both variables, asking GitHub for nothing yet', async () => {
    const audiences: string[] = [];
    const registrar = actionHandoff({
      settings,
      env: RUNNER,
      getIdToken: async (audience) => {
        audiences.push(audience);
        return 'jwt';
      },
      deployment: async () => null,
    });
    await registrar.preflight();
    expect(audiences).toEqual([]);
  });

  it('asks for the token of the bridge URL without its slash, and says so when GitHub gives none', async () => {
    const audiences: string[] = [];
    const registrar = actionHandoff({
      settings,
      env: RUNNER,
      getIdToken: async (audience) => {
        audiences.push(audience);
        throw new Error('Error message: Failed to get ID Token.\n Error Code : 403');
      },
      deployment: async () => ({ id: 7, environmentUrl: null }),
    });
    const error = await registrar.register(FACTS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseError);
    expect((error as Error).message).toMatch(
      /^GitHub gave no OIDC token for https:\/\/bridge\.example \(Error message: Failed to get ID Token\.\\n Error Code : 403\); .*id-token: write/,
    );
    expect(audiences).toEqual(['https://bridge.example']);
  });
});
