import fc from 'fast-check';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startReceiver } from '../../src/release/receiver.ts';
import type { ReceivedWebhook } from '../../src/wait/types.ts';
import { serialize, webhookRequests } from './support/hostile-requests.ts';
import { FUZZ_SEED, report, scaled } from './support/mode.ts';
import { snapshotPrototypes } from './support/prototype-guard.ts';
import { sendRaw } from './support/raw-http.ts';

// DESIGN §6 for the action's short-lived receiver: the same hostile webhook requests as the bridge gets
// (fast-check, fixed seed; RELIABILITY_SEED replays). Never a 5xx or a hang; a 2xx hands exactly one
// event to the job, taken from exactly the bytes sent, on a plain object; no prototype gains a key.

const CASES = scaled(3_000, 12_000);
const REQUEST_TIMEOUT_MS = 10_000;
const RECEIVER_PATH = '/hooks/fuzz-receiver-path-0123456789';

describe('hostile input at the receiver', () => {
  test(
    `${CASES} hostile webhook requests: never a 5xx, a hang, a wrong envelope or a polluted prototype (seed ${FUZZ_SEED})`,
    { timeout: scaled(240_000, 1_200_000) },
    async () => {
      const received: ReceivedWebhook[] = [];
      const receiver = await startReceiver({
        port: 0,
        host: '127.0.0.1',
        path: RECEIVER_PATH,
        onWebhook: (webhook) => void received.push(webhook),
      });
      onTestFinished(() => receiver.close());
      const prototypesChanged = snapshotPrototypes();
      const statuses = new Map<string, number>();
      let accepted = 0;

      await fc.assert(
        fc.asyncProperty(webhookRequests(RECEIVER_PATH), async (request) => {
          const { parts, expectedBody } = serialize(request);
          const before = received.length;
          const exchange = await sendRaw(receiver.port, {
            parts,
            end: true,
            timeoutMs: REQUEST_TIMEOUT_MS,
            head: request.method === 'HEAD',
          });
          const key = exchange.status === undefined ? 'dropped' : String(exchange.status);
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          expect(exchange.outcome, 'answered or dropped within the bound').not.toBe('timeout');
          expect(exchange.status ?? 0).toBeLessThan(500);
          if (exchange.status === undefined || exchange.status >= 300) {
            expect(received.length, 'a refused webhook reached the job').toBe(before);
            return;
          }
          accepted += 1;
          expect(expectedBody, 'only a complete body may be acknowledged').toBeDefined();
          expect(received.length).toBe(before + 1);
          const { event } = received[before]!;
          expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
          const sent = JSON.parse(expectedBody!.toString('utf8')) as Record<string, unknown>;
          expect({
            type: event.type,
            subject: event.subject,
            occurredAt: event.occurredAt,
            scope: event.scope,
          }).toEqual({
            type: sent['event'],
            subject: sent['uploadId'] ?? '',
            occurredAt: sent['timestamp'],
            scope: sent['projectId'],
          });
        }),
        { seed: FUZZ_SEED, numRuns: CASES, endOnFailure: true },
      );

      expect(prototypesChanged()).toEqual([]);
      // Still serving after all of it.
      const alive = await fetch(`http://127.0.0.1:${receiver.port}/nothing-here`);
      expect(alive.status).toBe(404);
      report('fuzz, receiver', {
        seed: FUZZ_SEED,
        cases: CASES,
        accepted,
        statuses: [...statuses]
          .sort()
          .map(([status, count]) => `${status}:${count}`)
          .join(','),
      });
    },
  );
});
