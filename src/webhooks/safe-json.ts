// Keys that could reach an object's prototype if a later step copied a parsed body with assignment.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * How deeply arrays and objects may nest in what parseJsonSafely accepts. JSON.parse and the walk below take
 * any depth, but JSON.stringify recurses, and runs out of stack some thousands deep: a value parsed here must
 * never make a later serialisation of it throw. Far deeper than any honest answer or webhook.
 */
export const MAX_JSON_DEPTH = 512;

/**
 * JSON.parse without the keys that could pollute a prototype; `undefined` when the text is not JSON or
 * nests deeper than `maxDepth`.
 */
export function parseJsonSafely(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const parsed = parseAndWalk(text, false, maxDepth);
  return parsed?.shape === 'ok' ? parsed.json : undefined;
}

/** What the walk found wrong with a parsed body, if anything. */
export type JsonShape = 'ok' | 'not-well-formed' | 'too-deep';

/**
 * parseJsonSafely that also says whether every string and key is well-formed Unicode (JSON's `\ud800`
 * escapes can produce lone surrogates, which would make distinct ids compare equal once a store or a log
 * replaces them) and whether it nests too deep. The webhook intake's one pass over the body.
 */
export function parseWellFormedJsonSafely(
  text: string,
  maxDepth: number,
): { json: unknown; shape: JsonShape } | undefined {
  return parseAndWalk(text, true, maxDepth);
}

/** JSON.parse, then the walk below; `undefined` when the text is not JSON. */
function parseAndWalk(
  text: string,
  checkStrings: boolean,
  maxDepth: number,
): { json: unknown; shape: JsonShape } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return { json, shape: walkParsedJson(json, checkStrings, maxDepth) };
}

/**
 * Deletes the forbidden keys (own properties, as JSON.parse creates them) with everything under them, checks
 * that arrays and objects nest at most `maxDepth` deep, and, when `checkStrings`, that every other string
 * and key is well-formed. One iterative pass instead of a JSON.parse reviver, which calls back into JS for
 * every value and cost several times the parse itself on the ingest hot path; the result is the same: a
 * reviver drops a forbidden key before anything below it is looked at. Stops at the first problem (the body is
 * refused then, so an unvisited forbidden key can do no harm). Iterative, so it cannot overflow the stack.
 */
function walkParsedJson(value: unknown, checkStrings: boolean, maxDepth: number): JsonShape {
  // Containers (and, when checked, strings) still to visit, each with the depth it sits at (the top level is
  // 1). Numbers, booleans and null need no visit.
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const next = pending.pop();
    const depth = depths.pop() as number;
    if (typeof next === 'string') {
      if (checkStrings && !next.isWellFormed()) return 'not-well-formed';
      continue;
    }
    if (next === null || typeof next !== 'object') continue;
    if (depth > maxDepth) return 'too-deep';
    if (Array.isArray(next)) {
      for (const item of next) {
        if (typeof item === 'object' ? item !== null : checkStrings && typeof item === 'string') {
          pending.push(item);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    const object = next as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      if (FORBIDDEN_KEYS.has(key)) {
        delete object[key];
        continue;
      }
      if (checkStrings && !key.isWellFormed()) return 'not-well-formed';
      const item = object[key];
      if (typeof item === 'object' ? item !== null : checkStrings && typeof item === 'string') {
        pending.push(item);
        depths.push(depth + 1);
      }
    }
  }
  return 'ok';
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
