import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoff, poll, reconnectDelay, systemClock, withTimeout, type Clock } from './poll';

/** A clock whose sleeps advance time at once: records every pause asked for. */
function steppingClock(): Clock & { pauses: number[] } {
  let t = 1_000;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => t,
    sleep: async (ms) => {
      pauses.push(ms);
      t += ms;
    },
  };
}

describe('poll (injected clock)', () => {
  it('looks once and stops when the first look is done', async () => {
    const clock = steppingClock();
    const look = vi.fn(async () => true);
    expect(await poll(look, { timeoutMs: 5_000, intervalMs: 1_000, clock })).toBe(true);
    expect(look).toHaveBeenCalledTimes(1);
    expect(clock.pauses).toEqual([]);
  });

  it('looks again after each pause until a look is done', async () => {
    const clock = steppingClock();
    const look = vi.fn(async (round: number) => round === 3);
    expect(await poll(look, { timeoutMs: 10_000, intervalMs: 1_000, clock })).toBe(true);
    expect(look.mock.calls.map((c) => c[0])).toEqual([0, 1, 2, 3]);
    expect(clock.pauses).toEqual([1_000, 1_000, 1_000]);
  });

  it('gives up when the time is up, with a last look at the deadline', async () => {
    const clock = steppingClock();
    const look = vi.fn(async () => false);
    expect(await poll(look, { timeoutMs: 2_500, intervalMs: 1_000, clock })).toBe(false);
    expect(clock.pauses).toEqual([1_000, 1_000, 500]);
    expect(look).toHaveBeenCalledTimes(4);
  });

  it('looks exactly once with no time at all', async () => {
    const clock = steppingClock();
    const look = vi.fn(async () => false);
    expect(await poll(look, { timeoutMs: 0, intervalMs: 1_000, clock })).toBe(false);
    expect(look).toHaveBeenCalledTimes(1);
  });

  it('backs off with doubling pauses up to a maximum', async () => {
    const clock = steppingClock();
    await poll(async () => false, { timeoutMs: 2_000, intervalMs: backoff(50, 500), clock });
    expect(clock.pauses.slice(0, 6)).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('lets errors of a look propagate', async () => {
    const clock = steppingClock();
    await expect(poll(async () => Promise.reject(new Error('boom')), { timeoutMs: 1_000, intervalMs: 10, clock })).rejects.toThrow('boom');
  });
});

describe('poll (system clock under fake timers)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits the interval between looks, in fake time', async () => {
    const seen: number[] = [];
    const started = Date.now();
    const done = poll(
      async (round) => {
        seen.push(Date.now() - started);
        return round === 2;
      },
      { timeoutMs: 10_000, intervalMs: 1_000 },
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(seen).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([0, 1_000]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await done).toBe(true);
    expect(seen).toEqual([0, 1_000, 2_000]);
  });

  it('stops at once when aborted during a pause, without another look', async () => {
    const controller = new AbortController();
    const look = vi.fn(async () => false);
    const done = poll(look, { timeoutMs: 60_000, intervalMs: 10_000, signal: controller.signal });
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await done).toBe(false);
    expect(look).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not sleep when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const resolved = vi.fn();
    void systemClock.sleep(5_000, controller.signal).then(resolved);
    await vi.advanceTimersByTimeAsync(0);
    expect(resolved).toHaveBeenCalled();
  });
});

describe('withTimeout and reconnectDelay (fake timers)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives the work’s result in time, rejects with the message after the delay, and clears its timer', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, 'trop long')).resolves.toBe(7);
    expect(vi.getTimerCount()).toBe(0);
    const late = withTimeout(new Promise<number>(() => undefined), 1000, 'trop long');
    const seen = expect(late).rejects.toThrow('trop long');
    await vi.advanceTimersByTimeAsync(1000);
    await seen;
    await expect(withTimeout(Promise.reject(new Error('refusé')), 1000, 'trop long')).rejects.toThrow('refusé');
  });

  it('waits longer at each attempt up to a ceiling, ±20 %, and the longest pause when asked to go slowly', () => {
    expect([0, 1, 2, 6, 20].map((a) => reconnectDelay(a, false, () => 0.5))).toEqual([250, 500, 1000, 10_000, 10_000]);
    expect(reconnectDelay(0, true, () => 0.5)).toBe(10_000);
    expect(reconnectDelay(0, false, () => 0)).toBe(200);
    expect(reconnectDelay(0, false, () => 1)).toBeCloseTo(300);
  });
});
