import type { KeyObject } from 'node:crypto';
import type { ProviderId } from '../webhooks/event.ts';
import {
  parseBase64Secrets,
  parsePixopPublicKeys,
  parsePlainSecrets,
  parseStandardSecrets,
  type Parsed,
} from '../webhooks/provider-secrets.ts';
import type { BuildPixelConfig } from '../webhooks/providers/buildpixel.ts';
import type { FastPixConfig } from '../webhooks/providers/fastpix.ts';
import {
  DEFAULT_SUBJECT_PATH,
  type StandardWebhooksConfig,
} from '../webhooks/providers/standard-webhooks.ts';

// The other providers' configuration (DESIGN §7): each one is on only when its secrets are set; one that is
// off answers 404 at its ingest URL. Problems name the variable, never a value.

export const PROVIDER_ENV = {
  buildpixelSecrets: 'BRIDGE_BUILDPIXEL_SECRETS',
  fastpixSecrets: 'BRIDGE_FASTPIX_SECRETS',
  pixopPublicKeys: 'BRIDGE_PIXOP_PUBLIC_KEYS',
  pixopApiKey: 'BRIDGE_PIXOP_API_KEY',
  pixopApiUrl: 'BRIDGE_PIXOP_API_URL',
  standardSecrets: 'BRIDGE_STANDARD_SECRETS',
  standardSuccessTypes: 'BRIDGE_STANDARD_SUCCESS_TYPES',
  standardFailureTypes: 'BRIDGE_STANDARD_FAILURE_TYPES',
  standardSubjectPath: 'BRIDGE_STANDARD_SUBJECT_PATH',
} as const;

export const PIXOP_API_URL = 'https://api.pixop.com/api';

export interface PixopBridgeConfig {
  /** Keys configured up front, by id. */
  keys: ReadonlyMap<string, KeyObject>;
  /** With an API key, a key id not configured is fetched from Pixop's public-key API and cached. */
  apiKey: string | null;
  apiUrl: string;
}

export interface ProvidersConfig {
  buildpixel: BuildPixelConfig | null;
  fastpix: FastPixConfig | null;
  pixop: PixopBridgeConfig | null;
  'standard-webhooks': StandardWebhooksConfig | null;
}

export const NO_PROVIDERS: ProvidersConfig = {
  buildpixel: null,
  fastpix: null,
  pixop: null,
  'standard-webhooks': null,
};

/** Which signed providers are on, for the start-up log line. */
export const enabledProviders = (config: ProvidersConfig): ProviderId[] =>
  (Object.keys(config) as Array<keyof ProvidersConfig>).filter((id) => config[id] !== null);

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

export function parseProvidersConfig(env: NodeJS.ProcessEnv): Parsed<ProvidersConfig> {
  const problems: string[] = [];
  const given = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  function secrets<T>(name: string, parse: (text: string) => Parsed<T>): T | null {
    const text = given(name);
    if (text === undefined) return null;
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    problems.push(...parsed.problems.map((problem) => `${name} ${problem}`));
    return null;
  }

  const buildpixelSecrets = secrets(PROVIDER_ENV.buildpixelSecrets, parsePlainSecrets);
  const fastpixSecrets = secrets(PROVIDER_ENV.fastpixSecrets, parseBase64Secrets);

  const pixopKeys = secrets(PROVIDER_ENV.pixopPublicKeys, parsePixopPublicKeys);
  const pixopApiKey = given(PROVIDER_ENV.pixopApiKey) ?? null;
  const pixopApiUrl = given(PROVIDER_ENV.pixopApiUrl) ?? PIXOP_API_URL;
  if (!URL.canParse(pixopApiUrl) || !/^https?:$/.test(new URL(pixopApiUrl).protocol)) {
    problems.push(`${PROVIDER_ENV.pixopApiUrl} must be an http(s) URL`);
  }
  const pixopOn = pixopKeys !== null || pixopApiKey !== null;

  const standardSecrets = secrets(PROVIDER_ENV.standardSecrets, parseStandardSecrets);
  const successTypes = list(env[PROVIDER_ENV.standardSuccessTypes]);
  const failureTypes = list(env[PROVIDER_ENV.standardFailureTypes]);
  const subjectPath = (given(PROVIDER_ENV.standardSubjectPath) ?? DEFAULT_SUBJECT_PATH.join('.')).split('.');
  if (subjectPath.some((key) => key === '')) {
    problems.push(`${PROVIDER_ENV.standardSubjectPath} must be a dot path such as data.id`);
  }
  if (given(PROVIDER_ENV.standardSecrets) !== undefined && successTypes.length === 0) {
    problems.push(
      `${PROVIDER_ENV.standardSuccessTypes} is required with ${PROVIDER_ENV.standardSecrets}: without it no event ends the work`,
    );
  }
  if (
    given(PROVIDER_ENV.standardSecrets) === undefined &&
    (successTypes.length > 0 || failureTypes.length > 0)
  ) {
    problems.push(`${PROVIDER_ENV.standardSecrets} is required with the Standard Webhooks event types`);
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      buildpixel: buildpixelSecrets ? { secrets: buildpixelSecrets } : null,
      fastpix: fastpixSecrets ? { secrets: fastpixSecrets } : null,
      pixop: pixopOn ? { keys: pixopKeys ?? new Map(), apiKey: pixopApiKey, apiUrl: pixopApiUrl } : null,
      'standard-webhooks': standardSecrets
        ? {
            secrets: standardSecrets,
            successTypes: new Set(successTypes),
            failureTypes: new Set(failureTypes),
            subjectPath,
          }
        : null,
    },
  };
}
