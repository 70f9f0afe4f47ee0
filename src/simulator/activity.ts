/**
 * Counts work in progress (stage timers, webhook deliveries) and reports `idle` when none is left. The check
 * waits a turn of the event loop, so work that ends just as the next piece begins does not look idle.
 */
export function createActivityTracker(onIdle: () => void) {
  let active = 0;
  let checkScheduled = false;
  const check = () => {
    checkScheduled = false;
    if (active === 0) onIdle();
  };
  return {
    isIdle: () => active === 0,
    /** Marks one piece of work as started; call the returned function (once) when it ends. */
    begin(): () => void {
      active += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        active -= 1;
        if (active === 0 && !checkScheduled) {
          checkScheduled = true;
          setImmediate(check);
        }
      };
    },
  };
}
export type ActivityTracker = ReturnType<typeof createActivityTracker>;
