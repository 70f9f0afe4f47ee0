import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { checkPublicAddress } from '../../lib/public-address.ts';
import { messageOf } from '../../lib/error-message.ts';
import { displayText } from '../../webhooks/display-text.ts';
import { checkNotifyUrl, hostOf, originOf, scrub } from './notify-url.ts';

// Sends one notification (DESIGN §8.2). The host is resolved once, every answer must be a public address,
// and the connection is pinned to the checked answers: undici's connector asks our `lookup`, never DNS, so
// an answer that changes between check and connect (DNS rebinding) gains nothing; TLS still verifies the
// certificate against the host name, and Host and SNI stay the host name. No redirects are followed, the
// whole exchange is bounded in time, and nothing throws: a notification never changes a release's outcome.
// Warnings name scheme and host only: a Slack or Discord webhook URL is a secret in its path.

export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;
/** Enough of an error answer to say why ("no_service", "invalid_payload"), no more. */
const ANSWER_SNIPPET_BYTES = 512;

export type ResolveHost = (host: string) => Promise<string[]>;

export type SendResult = { sent: true; status: number } | { sent: false; warning: string };

export interface SendOptions {
  /** The whole exchange: resolving, connecting, sending and reading the answer. */
  timeoutMs?: number;
  /** How a host name becomes addresses; the system resolver (getaddrinfo, all answers) by default. */
  resolve?: ResolveHost;
  userAgent?: string;
  /**
   * TESTS ONLY, never set in production: lets a test reach its loopback server. `allowAddress` passes
   * addresses the policy would refuse, `allowHttp` allows http://, `ca` trusts a test certificate.
   */
  testOnly?: { allowAddress?: (address: string) => boolean; allowHttp?: boolean; ca?: string };
}

const systemResolve: ResolveHost = async (host) =>
  (await dns.lookup(host, { all: true })).map((answer) => answer.address);

export async function sendNotification(
  notifyUrl: string | URL,
  body: object,
  options: SendOptions = {},
): Promise<SendResult> {
  const checked = checkNotifyUrl(String(notifyUrl), { allowHttp: options.testOnly?.allowHttp === true });
  if (!checked.ok) return { sent: false, warning: `Notification not sent: ${checked.problem}.` };
  const url = checked.url;
  const origin = originOf(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const notSent = (why: string): SendResult => ({
    sent: false,
    warning: `Notification to ${origin} not sent: ${why}`,
  });

  try {
    const host = hostOf(url);
    const addresses =
      isIP(host) !== 0 ? [host] : await untilAborted((options.resolve ?? systemResolve)(host), signal);
    if (addresses.length === 0) return notSent(`${host} resolves to no address.`);
    for (const address of addresses) {
      if (options.testOnly?.allowAddress?.(address)) continue;
      const verdict = checkPublicAddress(address);
      if (!verdict.public)
        return notSent(
          `${host} resolves to ${address}, which is not a public address (${verdict.reason}); ` +
            'notifications go only to public addresses.',
        );
    }
    return await post(url, body, addresses, signal, options);
  } catch (error) {
    if (signal.aborted) return notSent(`no answer within ${formatSeconds(timeoutMs)}.`);
    return notSent(`${describeFailure(error, url)}.`);
  }
}

async function post(
  url: URL,
  body: object,
  addresses: string[],
  signal: AbortSignal,
  options: SendOptions,
): Promise<SendResult> {
  const origin = originOf(url);
  const agent = new Agent({
    connect: {
      lookup: pinnedLookup(addresses),
      ...(options.testOnly?.ca ? { ca: options.testOnly.ca } : {}),
    },
  });
  try {
    const response = await request(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        'user-agent': options.userAgent ?? 'streampixel-release',
      },
      dispatcher: agent,
      signal,
    });
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      await response.body.dump();
      return { sent: true, status };
    }
    if (status >= 300 && status < 400) {
      await response.body.dump();
      return {
        sent: false,
        warning: `Notification to ${origin} not sent: the endpoint answered ${status}; redirects are not followed (use the final URL).`,
      };
    }
    const answer = scrub(await readSnippet(response.body), url);
    const said = answer.trim() === '' ? '' : `: ${displayText(answer.trim(), 200)}`;
    return {
      sent: false,
      warning: `Notification to ${origin} not sent: the endpoint answered ${status}${said}${hintFor(status)}`,
    };
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/** Connects only to the addresses that passed the check, whatever DNS would answer now. */
function pinnedLookup(addresses: string[]): LookupFunction {
  const answers = addresses.map((address) => ({ address, family: isIP(address) }));
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const [first] = answers;
    if (options.all) callback(null, answers);
    else callback(null, first?.address, first?.family);
  }) as LookupFunction;
}

async function readSnippet(body: AsyncIterable<Uint8Array> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= ANSWER_SNIPPET_BYTES) break;
  }
  body.destroy();
  return Buffer.concat(chunks).subarray(0, ANSWER_SNIPPET_BYTES).toString('utf8');
}

function hintFor(status: number): string {
  if (status === 404 || status === 410) return ' (the webhook may have been deleted: check notify-url).';
  if (status === 401 || status === 403) return ' (the webhook refused the request: check notify-url).';
  if (status === 400 || status === 422)
    return ' (the endpoint did not accept the message: check notify-format).';
  if (status === 429) return ' (rate limited).';
  return '.';
}

const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the connection closed before an answer',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
};

function describeFailure(error: unknown, url: URL): string {
  const codes = codesOf(error);
  const known = codes.map((code) => CONNECT_FAILURES[code]).find((text) => text !== undefined);
  if (known) return known;
  const tls = codes.find((code) => /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code));
  // Error messages name hosts and addresses, not paths; scrubbed anyway, since they are not ours.
  const message = displayText(scrub(messageOf(error).split('\n')[0] ?? '', url), 200);
  // OpenSSL's own messages (ERR_SSL_*) are a file and line in OpenSSL: the code says it all.
  if (tls) return `the TLS handshake failed (${tls.startsWith('ERR_SSL_') ? tls : `${tls}: ${message}`})`;
  return `it could not be reached (${message || codes.join(', ') || 'unknown error'})`;
}

/** Error codes of an error, its cause, and each error of an AggregateError (one per address tried). */
function codesOf(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 3) return [];
  const own = 'code' in error && typeof error.code === 'string' ? [error.code] : [];
  const nested = error instanceof AggregateError ? error.errors : [];
  return [...own, ...[error.cause, ...nested].flatMap((inner) => codesOf(inner, depth + 1))];
}

/** `promise`, or the signal's reason once it aborts (a DNS lookup cannot itself be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const formatSeconds = (ms: number): string =>
  ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
