import { SECRET_PATTERNS, TEST_SECRETS, type NamedSecret } from './secrets.ts';

// Finds test secrets in log text. Pure: the setup file (log-scan-setup.ts) feeds it what every test file's
// worker and the processes it started printed, and fails the file on any hit.

export interface SecretHit {
  /** Where the text came from: `worker stdout`, `action`, `bridge`… */
  source: string;
  /** 1-based line number within that source. */
  line: number;
  /** The name of the secret or pattern, never the secret. */
  secret: string;
  /** The line with every known secret replaced by its name, cut to 200 characters. */
  excerpt: string;
}

export interface ScanRules {
  secrets: readonly NamedSecret[];
  patterns: ReadonlyArray<{ name: string; pattern: RegExp }>;
}

export const DEFAULT_RULES: ScanRules = { secrets: TEST_SECRETS, patterns: SECRET_PATTERNS };

/**
 * `::add-mask::<value>` is how a secret is handed to the runner, which consumes the line instead of
 * printing it (and masks the value everywhere else): the one place a secret may appear.
 */
const isMaskCommand = (line: string): boolean => line.trimStart().startsWith('::add-mask::');

export function findSecrets(source: string, text: string, rules: ScanRules = DEFAULT_RULES): SecretHit[] {
  const hits: SecretHit[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (isMaskCommand(line)) return;
    const found = [
      ...rules.secrets.filter((secret) => line.includes(secret.value)).map((secret) => secret.name),
      ...rules.patterns.filter(({ pattern }) => pattern.test(line)).map(({ name }) => name),
    ];
    for (const secret of found)
      hits.push({ source, line: index + 1, secret, excerpt: excerptOf(line, rules) });
  });
  return hits;
}

function excerptOf(line: string, rules: ScanRules): string {
  // Longest first, so a URL is replaced whole before the signature inside it.
  const bySize = [...rules.secrets].sort((a, b) => b.value.length - a.value.length);
  let safe = line;
  for (const secret of bySize) safe = safe.split(secret.value).join(`«${secret.name}»`);
  for (const { pattern } of rules.patterns)
    safe = safe.replace(
      new RegExp(`${pattern.source}\\S*`, pattern.flags.replace('g', '') + 'g'),
      '«presigned»',
    );
  return safe.length > 200 ? `${safe.slice(0, 200)}…` : safe;
}

export function describeHits(hits: readonly SecretHit[]): string {
  const lines = hits.slice(0, 20).map((hit) => `  ${hit.source}:${hit.line} ${hit.secret}: ${hit.excerpt}`);
  const more = hits.length > 20 ? [`  … and ${hits.length - 20} more`] : [];
  return [`${hits.length} log line(s) hold a test secret:`, ...lines, ...more].join('\n');
}
