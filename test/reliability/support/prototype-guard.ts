// Prototype pollution shows as a new key on a shared prototype, or as a property every object suddenly
// inherits. Snapshot before a fuzz run, compare after: the servers under test run in this process.

const SHARED = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype };
/** Keys the hostile bodies try to plant. */
const PLANTED = ['polluted', 'isAdmin'];

export function snapshotPrototypes(): () => string[] {
  const before = Object.fromEntries(
    Object.entries(SHARED).map(([name, prototype]) => [name, new Set(Reflect.ownKeys(prototype))]),
  );
  return () => {
    const problems: string[] = [];
    for (const [name, prototype] of Object.entries(SHARED)) {
      for (const key of Reflect.ownKeys(prototype)) {
        if (!before[name]?.has(key)) problems.push(`${name}.prototype gained ${String(key)}`);
      }
    }
    const probe: Record<string, unknown> = {};
    for (const key of PLANTED) if (probe[key] !== undefined) problems.push(`every object inherits ${key}`);
    return problems;
  };
}
