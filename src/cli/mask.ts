// Secrets the CLI was given (api key, bridge token, webhook secret, a presigned URL and its query, the
// receiver's path): replaced by *** in every line it prints, as the runner masks what core.setSecret names.

export interface Mask {
  add(secret: string): void;
  apply(text: string): string;
}

export function createMask(): Mask {
  const secrets = new Set<string>();
  let bySize: string[] = [];
  return {
    add(secret) {
      // Very short values would blank ordinary words; parseInputs masks whole values, long enough to matter.
      if (secret.length < 4 || secrets.has(secret)) return;
      secrets.add(secret);
      // Longest first, so a whole URL is replaced before the signature inside it.
      bySize = [...secrets].sort((a, b) => b.length - a.length);
    },
    apply(text) {
      let masked = text;
      for (const secret of bySize) masked = masked.replaceAll(secret, '***');
      return masked;
    },
  };
}
