// The yardstick of DESIGN §6: a node:http server that reads each request's body and answers 200, storing
// nothing. It runs as its own process, like the bridge, so both face the load generator on equal terms.
// `node scripts/bench/noop-server.ts` with BRIDGE_HOST and BRIDGE_PORT (the names startBridgeProcess sets).
import { createServer } from 'node:http';

const ANSWER = '{"ok":true}';

const server = createServer((request, response) => {
  request.on('data', () => {});
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length });
    response.end(ANSWER);
  });
});
server.listen(Number(process.env.BRIDGE_PORT), process.env.BRIDGE_HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
