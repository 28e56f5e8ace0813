import { describe, expect, it } from 'vitest';
import { BACKOFF, chooseEngine, EngineHealth, FRESH_MS } from './engine-pool';

const GiB = 2 ** 30;

describe('engine placement', () => {
  it('takes the engine with the fewest nodes of this server, the first on a tie', () => {
    expect(chooseEngine([{ nodes: 0, memory: 8 * GiB }, { nodes: 0, memory: 8 * GiB }])).toBe(0);
    expect(chooseEngine([{ nodes: 2, memory: 8 * GiB }, { nodes: 0, memory: 8 * GiB }])).toBe(1);
    expect(chooseEngine([{ nodes: 2, memory: 8 * GiB }, { nodes: 2, memory: 8 * GiB }, { nodes: 1, memory: 8 * GiB }])).toBe(2);
  });

  it('fills engines in proportion to their memory', () => {
    // 6 nodes on 24 GiB is less loaded than 3 on 8 GiB.
    expect(chooseEngine([{ nodes: 3, memory: 8 * GiB }, { nodes: 6, memory: 24 * GiB }])).toBe(1);
  });

  it('leaves out the engines that do not answer, and has no choice without any', () => {
    expect(chooseEngine([undefined, { nodes: 9, memory: GiB }])).toBe(1);
    expect(chooseEngine([undefined, undefined])).toBeUndefined();
  });
});

describe('engine health', () => {
  it('believes a success for a while, then pings again', () => {
    const h = new EngineHealth();
    expect(h.due(0)).toBe(true);
    h.record(true, 1000);
    expect(h.due(1000 + FRESH_MS - 1)).toBe(false);
    expect(h.due(1000 + FRESH_MS)).toBe(true);
  });

  it('backs off after failures, doubling up to the ceiling', () => {
    const h = new EngineHealth();
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      h.record(false, now);
      expect(h.isAlive()).toBe(false);
      const next = h.nextProbeAt();
      expect(h.due(next - 1)).toBe(false);
      expect(h.due(next)).toBe(true);
      waits.push(next - now);
      now = next;
    }
    expect(waits.slice(0, 4)).toEqual([BACKOFF.firstMs, 2 * BACKOFF.firstMs, 4 * BACKOFF.firstMs, 8 * BACKOFF.firstMs]);
    expect(Math.max(...waits)).toBe(BACKOFF.maxMs);
  });

  it('reports the return of a dead engine once, and starts the backoff over', () => {
    const h = new EngineHealth();
    expect(h.record(true, 0)).toBe(false);
    h.record(false, 10);
    h.record(false, 2000);
    expect(h.record(true, 5000)).toBe(true);
    expect(h.record(true, 8000)).toBe(false);
    h.record(false, 9000);
    expect(h.nextProbeAt()).toBe(9000 + BACKOFF.firstMs);
  });
});
