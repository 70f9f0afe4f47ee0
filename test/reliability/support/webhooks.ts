// Well-formed Streampixel webhooks for the fault and soak scenarios: each body is unique (its timestamp
// counts milliseconds from n), so every acknowledged one must be stored as its own row.

export const INGEST_TOKEN = 'reliability-ingest-token-0123456789';
export const READ_TOKEN = 'reliability-read-token-0123456789';
export const INGEST_PATH = `/hooks/streampixel/${INGEST_TOKEN}`;

/** Unicode and escapes in it, so "byte-identical" means something. */
export function webhookBody(subject: string, n: number, note = ''): string {
  return JSON.stringify({
    event: 'build.downloading',
    projectId: 'reliability-project',
    uploadId: subject,
    fileUrl: null,
    status: 'Downloading Files',
    objection: null,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
    note: `${note} · "quoted" \\ ✓`,
  });
}

/** BRIDGE_* for a bridge on `database` (a file path or a postgres:// URL). */
export function bridgeEnv(database: string, port = 0): Record<string, string> {
  return {
    BRIDGE_PORT: String(port),
    BRIDGE_HOST: '127.0.0.1',
    BRIDGE_DATABASE: database,
    BRIDGE_INGEST_TOKEN: INGEST_TOKEN,
    BRIDGE_READ_TOKEN: READ_TOKEN,
    BRIDGE_LOG_LEVEL: 'warn',
  };
}

export const readHeaders = { authorization: `Bearer ${READ_TOKEN}` };
