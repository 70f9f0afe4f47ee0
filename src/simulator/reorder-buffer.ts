/**
 * Swaps adjacent pairs: holds the first of each pair until the second arrives, then releases them in
 * reverse. `flush` releases a held item when no partner will come (pipeline paused or finished).
 */
export function createReorderBuffer<T>() {
  let held: T | undefined;
  let holding = false;
  return {
    push(item: T): T[] {
      if (!holding) {
        held = item;
        holding = true;
        return [];
      }
      const first = held as T;
      held = undefined;
      holding = false;
      return [item, first];
    },
    flush(): T[] {
      if (!holding) return [];
      const first = held as T;
      held = undefined;
      holding = false;
      return [first];
    },
  };
}
