// What a durable ack costs on this machine before any bridge code: a node:http server that reads each
// request's body, commits it to SQLite with the bridge's durability (WAL, synchronous=FULL, one row per
// webhook in a two-column table) and answers 200 only after the COMMIT, which fsyncs. Requests that arrive
// while a commit runs share the next one (group commit, on the event loop). No routing, no token, no
// verification, no indexes, no thread: the least a server acknowledging after the sync can do, so
// `npm run bench` can show how much of the gap to the no-op server is the disk's and how much the bridge's.
// `node scripts/bench/durable-floor-server.ts` with BRIDGE_HOST, BRIDGE_PORT and BRIDGE_DATABASE.
import { createServer, type ServerResponse } from 'node:http';
import { DatabaseSync } from 'node:sqlite';

const ANSWER = '{"ok":true}';
const db = new DatabaseSync(process.env.BRIDGE_DATABASE ?? ':memory:');
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS events (cursor INTEGER PRIMARY KEY, body TEXT NOT NULL)');
const begin = db.prepare('BEGIN IMMEDIATE');
const insert = db.prepare('INSERT INTO events (body) VALUES (?)');
const commit = db.prepare('COMMIT');

let pending: Array<{ body: string; response: ServerResponse }> = [];

function flush(): void {
  const batch = pending;
  pending = [];
  begin.run();
  for (const { body } of batch) insert.run(body);
  commit.run();
  for (const { response } of batch) answer(response, 200, ANSWER);
}

function answer(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': text.length });
  response.end(text);
}

const server = createServer((request, response) => {
  // The bench's readiness probe.
  if (request.method === 'GET') return answer(response, 200, ANSWER);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    pending.push({ body: Buffer.concat(chunks).toString('utf8'), response });
    // Every request read in this turn of the loop joins the same commit.
    if (pending.length === 1) setImmediate(flush);
  });
});
server.listen(Number(process.env.BRIDGE_PORT), process.env.BRIDGE_HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => (db.close(), process.exit(0))));
