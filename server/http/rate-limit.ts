/**
 * Token buckets by key (an address, a learner): `capacity` requests at once, refilled at
 * `perSecond`. Pure: the clock is injected, nothing runs in the background. The map stays
 * bounded: beyond `maxKeys`, buckets that are full again (idle keys) are forgotten first.
 */
export interface RateLimitOptions {
  capacity: number;
  perSecond: number;
  /** Milliseconds since any origin (default Date.now). */
  now?: () => number;
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Takes one token for `key`: 0 when allowed, else the seconds to wait before the next one. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.options.perSecond);
  }

  /** Keys currently tracked (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      bucket = { tokens: this.options.capacity, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + elapsed * this.options.perSecond);
    bucket.at = now;
    return bucket;
  }

  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const tokens = bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.options.perSecond;
      if (tokens >= this.options.capacity) this.buckets.delete(key);
    }
    // Everyone is busy: drop the oldest entries rather than grow without bound.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
