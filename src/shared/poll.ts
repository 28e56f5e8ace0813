/**
 * The one polling loop: look, and look again after a pause until the look says « done », the
 * time is up or the caller aborts. Time comes from an injected clock, so the loop is tested
 * with fake timers and never waits for real in a unit test.
 */

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Date.now and setTimeout (vitest's fake timers replace both). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface PollOptions {
  /** How long to keep looking, from the first look. The first look always happens. */
  timeoutMs: number;
  /** Pause between two looks: fixed, or by look number (0 after the first look) for a backoff. */
  intervalMs: number | ((round: number) => number);
  signal?: AbortSignal;
  clock?: Clock;
}

/**
 * Calls `look` until it returns true (→ true), or until the time is up or `signal` aborts
 * (→ false). Errors thrown by `look` propagate: a look that may fail catches its own errors.
 */
export async function poll(look: (round: number) => Promise<boolean>, options: PollOptions): Promise<boolean> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  for (let round = 0; ; round++) {
    if (await look(round)) return true;
    if (options.signal?.aborted) return false;
    const pause = typeof options.intervalMs === 'number' ? options.intervalMs : options.intervalMs(round);
    const left = deadline - clock.now();
    if (left <= 0) return false;
    await clock.sleep(Math.min(pause, left), options.signal);
    if (options.signal?.aborted) return false;
  }
}

/** Doubling pauses from `first` up to `max` ms (50, 100, 200, 400, 500, 500…). */
export function backoff(first: number, max: number): (round: number) => number {
  return (round) => Math.min(first * 2 ** round, max);
}

const RECONNECT_MS = [250, 500, 1000, 2000, 4000, 8000, 10_000];

/**
 * Pause before reconnection attempt `attempt` (0 first) of a browser socket, ±20 % so that a
 * room of pages does not reconnect in step after a server restart; `slow`: the longest pause
 * (the server refused us for a reason a quick retry will not change).
 */
export function reconnectDelay(attempt: number, slow = false, random: () => number = Math.random): number {
  const base = slow ? RECONNECT_MS[RECONNECT_MS.length - 1]! : RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)]!;
  return base * (0.8 + random() * 0.4);
}

/** `work`, or a rejection with `message` when it has not settled after `ms` (the timer is cleared either way). */
export function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
