import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';

// The GitHub simulator serves the demo, which runs outside vitest: started here in a plain node process, the
// job's side of a handoff goes through it (an ID token from the runner's endpoint, verified against the
// issuer's published keys; a Deployment and its status recorded by the REST API).

const entry = new URL('../../src/simulator/github/index.ts', import.meta.url).href;
/** Where `jose` resolves from. */
const root = new URL('../..', import.meta.url).pathname;

const script = `
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startGitHubSimulator } from ${JSON.stringify(entry)};

const github = await startGitHubSimulator();
try {
  const env = github.runnerEnv();
  const ask = (authorization) =>
    fetch(env.ACTIONS_ID_TOKEN_REQUEST_URL + '&audience=' + encodeURIComponent('https://bridge.example'), {
      headers: authorization ? { authorization } : {},
    });
  const refused = (await ask(null)).status;
  const { value } = await (await ask('Bearer ' + env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)).json();
  const keys = createRemoteJWKSet(new URL(github.issuer.issuer + '/.well-known/jwks'));
  const { payload } = await jwtVerify(value, keys, { issuer: github.issuer.issuer, audience: 'https://bridge.example' });

  const statusCall = github.api.waitForCall('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses');
  const post = (path, body) =>
    fetch(env.GITHUB_API_URL + path, { method: 'POST', headers: { authorization: 'token x' }, body: JSON.stringify(body) });
  const { id } = await (await post('/repos/' + env.GITHUB_REPOSITORY + '/deployments', { ref: 'main' })).json();
  await post('/repos/' + env.GITHUB_REPOSITORY + '/deployments/' + id + '/statuses', { state: 'success' });
  console.log(JSON.stringify({
    refused,
    repository: payload.repository,
    status: (await statusCall).body,
    routes: github.api.calls.map((call) => call.route),
    tokenRequests: github.runnerTokens.requests,
  }));
} finally {
  await github.close();
}
`;

it('runs in a plain node process, without vitest', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

  expect(code, stderr).toBe(0);
  expect(JSON.parse(stdout)).toEqual({
    refused: 401,
    repository: 'acme/game',
    status: { state: 'success' },
    routes: [
      'POST /repos/{owner}/{repo}/deployments',
      'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    ],
    tokenRequests: [
      { audience: 'https://bridge.example', authorized: false },
      { audience: 'https://bridge.example', authorized: true },
    ],
  });
});
