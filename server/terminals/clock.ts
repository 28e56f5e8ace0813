// Time as the gateway sees it: injected so that grace periods, stalls and quiet periods can be
// driven by a test (vitest fake timers, or ManualClock in testing.ts) instead of real sleeps.

/** An opaque timer handle. */
export type TimerHandle = object;

export interface Clock {
  now(): number;
  /** Schedules `fn` once after `ms`; real timers never keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process clock. It looks the globals up at each call, so vitest fake timers apply to it. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** Calls `fn` every `ms` on `clock` until the returned function is called (an error is logged, the loop goes on). */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let handle: TimerHandle | null = null;
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    try {
      fn();
    } catch (err) {
      console.error('terminal gateway:', err);
    }
    if (!stopped) handle = clock.setTimeout(loop, ms);
  };
  handle = clock.setTimeout(loop, ms);
  return () => {
    stopped = true;
    if (handle) clock.clearTimeout(handle);
  };
}
