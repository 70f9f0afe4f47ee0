import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SendOptions } from '../../src/release/notify/send.ts';
import { listenForTest } from './listen.ts';

// A loopback HTTPS endpoint for notifications (Slack & co. stand-in), and the test-only send options that
// reach it: notify.test resolves to 127.0.0.1 and the test certificate is trusted. Notify settings require
// https://, so this is what a handoff's stored notify-url can point at in a test.

// A self-signed certificate for notify.test and localhost only (no IP in it): a connection pinned to
// 127.0.0.1 verifies only if TLS is given the host name, not the address.
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBpjCCAUygAwIBAgIUYXxcvY1figp/b3zqGvvSAwLWmRkwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLbm90aWZ5LnRlc3QwIBcNMjYxMjAxMjMwMjA2WhgPMjEyNjEx
MDcyMzAyMDZaMBYxFDASBgNVBAMMC25vdGlmeS50ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEJOWZpe+7KjDzSHle6J9BS1GcbaZlwNaSYklm1++knf6Fpkpn
U6+QaX6cszS3t6ktOd1riXIPoRdKSgg9r3ileaN2MHQwHQYDVR0OBBYEFElGkIAe
nHGSoO4stpD2WF5WFiGLMB8GA1UdIwQYMBaAFElGkIAenHGSoO4stpD2WF5WFiGL
MA8GA1UdEwEB/wQFMAMBAf8wIQYDVR0RBBowGIILbm90aWZ5LnRlc3SCCWxvY2Fs
aG9zdDAKBggqhkjOPQQDAgNIADBFAiBR51Dw+mgIDQwfklk/QXrNzHJ7aMI4Oaf+
WclYgwRTZQIhAPXwsdT23yWA9J0iVR/hmdWGpa/YXkLfLAnCOMk6JEhn
-----END CERTIFICATE-----
`;
export const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLtahVuz/IHNjpTEN
M+jY5B6ZHWK2/Rt2EObIe+4uVn6hRANCAAQk5Zml77sqMPNIeV7on0FLUZxtpmXA
1pJiSWbX76Sd/oWmSmdTr5BpfpyzNLe3qS053WuJcg+hF0pKCD2veKV5
-----END PRIVATE KEY-----
`;

/** The test-only allowance that reaches notifyEndpoint(): never set in production. */
export const NOTIFY_TEST_OPTIONS: SendOptions = {
  resolve: async (host) => (host === 'notify.test' ? ['127.0.0.1'] : []),
  testOnly: { allowAddress: (address) => address === '127.0.0.1', ca: TEST_CERT },
};

/** Records each JSON body it is sent and answers 200; closed when the test ends. */
export async function startNotifyEndpoint() {
  const received: Array<Record<string, unknown>> = [];
  const server = createServer({ cert: TEST_CERT, key: TEST_KEY }, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  await listenForTest(server);
  return { url: `https://notify.test:${(server.address() as AddressInfo).port}/hook`, received };
}
