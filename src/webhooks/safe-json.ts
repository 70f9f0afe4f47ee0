// Keys that could reach an object's prototype if a later step copied a parsed body with assignment.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse without the keys that could pollute a prototype; `undefined` when the text is not JSON. */
export function parseJsonSafely(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  walkParsedJson(value, false);
  return value;
}

/**
 * parseJsonSafely that also says whether every string and key is well-formed Unicode: JSON's `\ud800`
 * escapes can produce lone surrogates, which would make distinct ids compare equal once a store or a log
 * replaces them. The webhook intake's one pass over the body.
 */
export function parseWellFormedJsonSafely(text: string): { json: unknown; wellFormed: boolean } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return { json: value, wellFormed: walkParsedJson(value, true) };
}

/**
 * Deletes the forbidden keys (own properties, as JSON.parse creates them) with everything under them, and,
 * when `checkStrings`, says whether every other string and key is well-formed. One iterative pass instead of
 * a JSON.parse reviver, which calls back into JS for every value and cost several times the parse itself on
 * the ingest hot path; the result is the same: a reviver drops a forbidden key before anything below it is
 * looked at. Stops at the first string that is not well-formed (the body is refused then, so an unvisited
 * forbidden key can do no harm). Iterative, so a deeply nested body cannot overflow the stack.
 */
function walkParsedJson(value: unknown, checkStrings: boolean): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (checkStrings && !next.isWellFormed()) return false;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (next !== null && typeof next === 'object') {
      const object = next as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        if (FORBIDDEN_KEYS.has(key)) {
          delete object[key];
          continue;
        }
        if (checkStrings && !key.isWellFormed()) return false;
        pending.push(object[key]);
      }
    }
  }
  return true;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as text, or `undefined` when they are not valid UTF-8 (nothing is silently replaced). */
export function decodeUtf8Strictly(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
