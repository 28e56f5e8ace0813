import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from './rate-limit';

describe('RateLimiter (token bucket, injected clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('allows a burst of `capacity`, then says how long to wait, and refills with time', () => {
    const limiter = new RateLimiter({ capacity: 3, perSecond: 0.5, now: () => Date.now() });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(limiter.take('a')).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(2);
    vi.advanceTimersByTime(60_000);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0, 2]);
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter({ capacity: 1, perSecond: 1, now: () => Date.now() });
    expect(limiter.take('alice')).toBe(0);
    expect(limiter.take('alice')).toBe(1);
    expect(limiter.take('bob')).toBe(0);
  });

  it('stays bounded however many keys come', () => {
    const limiter = new RateLimiter({ capacity: 2, perSecond: 1, maxKeys: 100, now: () => Date.now() });
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});
