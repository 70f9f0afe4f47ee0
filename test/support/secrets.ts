// Every secret the tests hand to the action, the bridge or the simulator, in one place: the log scan
// (test/support/log-scan-setup.ts) fails a test file when any of them reaches a log line.

/** Streampixel API keys. */
export const API_KEYS = {
  world: 'sk-live-TOP-SECRET',
  bundle: 'sk-live-BUNDLE-SECRET',
  wrong: 'sk-wrong-SECRET',
  orchestrateWrong: 'sk-wrong-key',
  client: 'sp_live_APIKEY_9f8e7d6c5b4a',
  matrix: 'sk-live-MATRIX-9c41e7d2',
} as const;

/**
 * The release bridge's tokens: the ingest token sits in the webhook path, the read and handoff tokens in
 * Authorization.
 * `harness*` are the values test/unit/bridge/harness.ts uses for the in-process app.
 */
export const BRIDGE_TOKENS = {
  ingest: 'ingest-token-0123456789abcdef',
  read: 'read-token-0123456789abcdef',
  harnessIngest: 'ingest-Tok3n_0123456789abcdef',
  harnessRead: 'read-T0ken/0123456789+abcdef',
  wrongRead: 'wrong-read-token-0123456789abcdef',
  /** BRIDGE_HANDOFF_TOKEN: registers handoffs from other CI (the CLI's --handoff-token). */
  handoff: 'handoff-token-0123456789abcdef',
  wrongHandoff: 'wrong-handoff-token-0123456789abcdef',
} as const;

/** Receiver paths: the path is the receiver's only secret (DESIGN §3.1). */
export const RECEIVER_PATHS = {
  world: '/hooks/receiver-secret-7f3a',
  bundle: '/hooks/bundle-secret',
  receiver: '/hooks/s3cr3t-path-token',
  matrix: '/hooks/matrix-path-5e0b91',
} as const;

/** Presigned file URLs: the signature in the query string is a credential. */
export const PRESIGNED_FILE_URLS = {
  world: 'https://builds.example/game.zip?X-Amz-Signature=presigned-secret',
  bundle: 'https://bucket.example/game.zip?X-Amz-Signature=presigned-bundle-secret',
  matrix:
    'https://bucket.example/game.zip?X-Amz-Credential=AKIAMATRIX%2F20260101&X-Amz-Signature=presigned-matrix-3b7e',
} as const;

/** A secret by the name a hit is reported under, so a report never has to print the secret itself. */
export interface NamedSecret {
  name: string;
  value: string;
}

const named = (group: string, values: Record<string, string>): NamedSecret[] =>
  Object.entries(values).map(([key, value]) => ({ name: `${group}.${key}`, value }));

/** Every literal secret, with its URL-encoded form where that differs (tokens travel in paths and queries). */
export const TEST_SECRETS: readonly NamedSecret[] = [
  ...named('API_KEYS', API_KEYS),
  ...named('BRIDGE_TOKENS', BRIDGE_TOKENS),
  ...named('RECEIVER_PATHS', RECEIVER_PATHS),
  ...named('PRESIGNED_FILE_URLS', PRESIGNED_FILE_URLS),
].flatMap((secret) => {
  const encoded = encodeURIComponent(secret.value);
  return encoded === secret.value
    ? [secret]
    : [secret, { name: `${secret.name} (URL-encoded)`, value: encoded }];
});

/**
 * Shapes that are secret whatever their value: the query parameters of a presigned S3, GCS or Azure URL.
 * A file URL shown as `https://bucket.example/game.zip?…` matches none of them.
 */
export const SECRET_PATTERNS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'presigned query (X-Amz-Signature)', pattern: /X-Amz-(Signature|Credential|Security-Token)=/i },
  { name: 'presigned query (X-Goog-Signature)', pattern: /X-Goog-(Signature|Credential)=/i },
  { name: 'presigned query (Azure sig)', pattern: /[?&]sig=[A-Za-z0-9%+/=]{8,}/ },
];
