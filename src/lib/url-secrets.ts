/**
 * What of a file URL must never reach a log: the whole URL and, for a presigned one, its query string
 * (raw, decoded, and each value of 8 characters or more, which is where signatures and tokens sit).
 */
export function fileUrlSecrets(fileUrl: string): string[] {
  const secrets = [fileUrl];
  const query = fileUrl.indexOf('?');
  if (query === -1) return secrets;
  const raw = fileUrl.slice(query + 1).split('#')[0] ?? '';
  secrets.push(raw);
  try {
    secrets.push(decodeURIComponent(raw));
  } catch {
    // a malformed escape: the raw form is already covered
  }
  for (const value of new URLSearchParams(raw).values()) if (value.length >= 8) secrets.push(value);
  return secrets;
}
