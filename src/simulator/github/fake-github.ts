import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../loopback.ts';

// A loopback stand-in for GitHub's REST API: it records every call and answers the routes of a table the way
// GitHub does (Deployments, deployment statuses, repository_dispatch, GitHub App installation tokens). A test
// replaces a route's answer (`on`), makes its next calls fail (`fail`), or holds them (`hold`). Unknown
// routes answer 404 as GitHub does, so a call to a wrong path shows up as a failure, not a silent success.
// Free of any test runner, so the demo uses it too; test/support/fake-github.ts closes it after each test.

/** One REST call as received. The Authorization value is never kept: only its scheme, or null. */
export interface RecordedCall {
  method: string;
  /** The path without the query, e.g. /repos/acme/game/deployments (after the base path, if any). */
  path: string;
  /** The route template it matched, e.g. `POST /repos/{owner}/{repo}/deployments`; null for none. */
  route: string | null;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Request headers, lower-case, Authorization left out. */
  headers: Record<string, string>;
  /** `Bearer`, `token`, … when an Authorization header came; null when none did. */
  authorization: string | null;
  /** The body parsed as JSON; the raw text when it is not JSON; null when empty. */
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (call: RecordedCall, github: FakeGitHubState) => FakeAnswer;

/** What handlers may read or keep between calls. */
export interface FakeGitHubState {
  /** Every call so far, this one included. */
  calls: readonly RecordedCall[];
  /** A fresh id, counting up from 1001 per server. */
  nextId(): number;
  /** The statuses created per deployment (`owner/repo/id`, lower-case), oldest first. */
  statuses: Map<string, Record<string, unknown>[]>;
}

const deploymentKey = (params: Record<string, string>) =>
  `${params.owner}/${params.repo}/${params.deployment_id}`.toLowerCase();

const DEFAULT_ROUTES: Record<string, RouteHandler> = {
  'POST /repos/{owner}/{repo}/deployments': (call, github) => {
    const id = github.nextId();
    const body = (call.body ?? {}) as Record<string, unknown>;
    return {
      status: 201,
      body: {
        id,
        url: `/repos/${call.params.owner}/${call.params.repo}/deployments/${id}`,
        sha: body.ref,
        ref: body.ref,
        task: body.task ?? 'deploy',
        payload: body.payload ?? {},
        environment: body.environment ?? 'production',
        description: body.description ?? null,
        transient_environment: body.transient_environment ?? false,
        production_environment: body.production_environment ?? body.environment === 'production',
      },
    };
  },
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': (call, github) => {
    const body = (call.body ?? {}) as Record<string, unknown>;
    const status = {
      id: github.nextId(),
      state: body.state,
      description: body.description ?? '',
      log_url: body.log_url ?? '',
      environment_url: body.environment_url ?? '',
      deployment_url: `/repos/${call.params.owner}/${call.params.repo}/deployments/${call.params.deployment_id}`,
    };
    const key = deploymentKey(call.params);
    github.statuses.set(key, [...(github.statuses.get(key) ?? []), status]);
    return { status: 201, body: status };
  },
  // GitHub lists a deployment's statuses newest first.
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': (call, github) => ({
    status: 200,
    body: [...(github.statuses.get(deploymentKey(call.params)) ?? [])].reverse(),
  }),
  'POST /repos/{owner}/{repo}/dispatches': () => ({ status: 204 }),
  'GET /repos/{owner}/{repo}/installation': (_call, github) => ({
    status: 200,
    body: { id: github.nextId() },
  }),
  'POST /app/installations/{installation_id}/access_tokens': () => ({
    status: 201,
    body: {
      token: `ghs_fake${Math.random().toString(36).slice(2)}`,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    },
  }),
};

export interface FakeGitHub {
  /** Base URL to hand to the client, e.g. http://127.0.0.1:1234 or http://127.0.0.1:1234/api/v3. */
  url: string;
  calls: readonly RecordedCall[];
  /** The statuses each deployment has (`owner/repo/id`, lower-case), oldest first. */
  statuses: ReadonlyMap<string, readonly Record<string, unknown>[]>;
  /** The calls that matched `route`. */
  callsTo(route: string): RecordedCall[];
  /** Calls `listener` with each call as it arrives (before it is answered); returns its removal. */
  onCall(listener: (call: RecordedCall) => void): () => void;
  /**
   * The first call of `route` matching `predicate`, among those recorded or still to come; rejects after
   * `timeoutMs` (default 5 000).
   */
  waitForCall(
    route: string,
    predicate?: (call: RecordedCall) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<RecordedCall>;
  /** Answers `route` with `handler` from now on (a route not in the defaults is added). */
  on(route: string, handler: RouteHandler): void;
  /** The next `times` calls of `route` get this answer (GitHub's `{message}` body unless given). */
  fail(
    route: string,
    answer: { status: number; message?: string; headers?: Record<string, string> },
    times?: number,
  ): void;
  /** The next `times` calls of `route` get no answer until `release()` answers them as usual: a slow GitHub. */
  hold(route: string, times?: number): { release(): void };
  close(): Promise<void>;
}

export interface FakeGitHubOptions {
  /** GitHub Enterprise Server serves the API under /api/v3; routes are matched after this prefix. */
  basePath?: string;
}

type Override = { times: number; answer: (call: RecordedCall) => FakeAnswer | 'hold' };

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const routes = new Map(Object.entries(DEFAULT_ROUTES).map(([route, handler]) => [route, handler]));
  const overrides = new Map<string, Override[]>();
  const held = new Map<ServerResponse, () => void>();
  const calls: RecordedCall[] = [];
  const listeners = new Set<(call: RecordedCall) => void>();
  let lastId = 1000;
  const state: FakeGitHubState = { calls, nextId: () => ++lastId, statuses: new Map() };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake-github');
      const method = req.method ?? 'GET';
      const inBase = basePath === '' || url.pathname.startsWith(`${basePath}/`);
      const path = inBase ? url.pathname.slice(basePath.length) : url.pathname;
      const matched = inBase ? matchRoute([...routes.keys()], method, path) : null;
      const call: RecordedCall = {
        method,
        path,
        route: matched?.route ?? null,
        params: matched?.params ?? {},
        query: Object.fromEntries(url.searchParams),
        ...splitAuthorization(req.headers),
        body: parseBody(Buffer.concat(chunks).toString('utf8')),
      };
      calls.push(call);
      for (const listener of [...listeners]) listener(call);
      if (matched === null) return send(res, { status: 404, body: notFound });
      const answerNormally = () => send(res, routes.get(matched.route)!(call, state));
      const override = takeOverride(matched.route);
      const answer = override ? override(call) : null;
      if (answer === 'hold') {
        // Kept even if the caller goes away: like GitHub, release() still applies a call whose caller died.
        held.set(res, answerNormally);
        return;
      }
      if (answer) send(res, answer);
      else answerNormally();
    });
  });

  function takeOverride(route: string) {
    const queue = overrides.get(route);
    const next = queue?.[0];
    if (!next) return undefined;
    if (--next.times <= 0) queue.shift();
    return next.answer;
  }

  function addOverride(route: string, override: Override) {
    if (!routes.has(route)) throw new Error(`fake GitHub: no route ${route}; add it with on() first`);
    overrides.set(route, [...(overrides.get(route) ?? []), override]);
  }

  const listening = await listenOnLoopback(server);
  const close = () => {
    for (const res of held.keys()) res.destroy();
    return listening.close();
  };

  return {
    url: `${listening.origin}${basePath}`,
    calls,
    statuses: state.statuses,
    callsTo: (route) => calls.filter((call) => call.route === route),
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitForCall(route, predicate = () => true, { timeoutMs = 5_000 } = {}) {
      const matches = (call: RecordedCall) => call.route === route && predicate(call);
      const found = calls.find(matches);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`fake GitHub: no call of ${route} within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (call: RecordedCall) => {
          if (!matches(call)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(call);
        };
        listeners.add(listener);
      });
    },
    on(route, handler) {
      routes.set(route, handler);
    },
    fail(route, { status, message, headers }, times = 1) {
      const body = {
        message: message ?? defaultMessage(status),
        documentation_url: 'https://docs.github.com/rest',
      };
      addOverride(route, { times, answer: () => ({ status, body, ...(headers ? { headers } : {}) }) });
    },
    hold(route, times = 1) {
      addOverride(route, { times, answer: () => 'hold' });
      return {
        release() {
          for (const [res, answer] of [...held]) {
            held.delete(res);
            answer();
          }
        },
      };
    },
    close,
  };
}

const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };

function defaultMessage(status: number): string {
  if (status === 401) return 'Bad credentials';
  if (status === 403) return 'Resource not accessible by integration';
  if (status === 404) return 'Not Found';
  if (status === 409) return 'Conflict';
  if (status === 422) return 'Validation Failed';
  return 'Server Error';
}

/** Matches `POST /repos/{owner}/{repo}/deployments` against a method and path; params are decoded. */
function matchRoute(templates: string[], method: string, path: string) {
  // Longest template first, so a route never shadows a longer one that shares its prefix.
  for (const route of [...templates].sort((a, b) => b.length - a.length)) {
    const [routeMethod, template = ''] = route.split(' ');
    if (routeMethod !== method) continue;
    const names: string[] = [];
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const found = new RegExp(`^${pattern}$`).exec(path);
    if (found)
      return {
        route,
        params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')])),
      };
  }
  return null;
}

function splitAuthorization(headers: IncomingHttpHeaders) {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (name !== 'authorization' && value !== undefined)
      kept[name] = Array.isArray(value) ? value.join(', ') : value;
  const authorization = headers.authorization;
  return { headers: kept, authorization: authorization ? (authorization.split(' ')[0] ?? '') : null };
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function send(res: ServerResponse, answer: FakeAnswer) {
  const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...(text === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    ...answer.headers,
  });
  res.end(text);
}
