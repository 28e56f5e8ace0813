import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring';

const bytes = (s: string) => Buffer.from(s);
const joined = (r: RingBuffer, from: number) => Buffer.concat(r.slice(from)).toString();

describe('RingBuffer', () => {
  it('keeps everything under capacity, addressed by absolute offsets', () => {
    const r = new RingBuffer(100, 8);
    r.append(bytes('hello '));
    r.append(bytes('world, this spans blocks'));
    expect(r.start).toBe(0);
    expect(r.end).toBe(30);
    expect(joined(r, 0)).toBe('hello world, this spans blocks');
    expect(joined(r, 6)).toBe('world, this spans blocks');
    expect(joined(r, 30)).toBe('');
    expect(r.slice(31)).toEqual([]);
  });

  it('drops the oldest bytes beyond capacity and clamps slices to the start', () => {
    const r = new RingBuffer(10, 4);
    let all = '';
    for (let i = 0; i < 50; i++) {
      const s = String.fromCharCode(97 + (i % 26)).repeat((i % 3) + 1);
      all += s;
      r.append(bytes(s));
    }
    expect(r.end).toBe(all.length);
    expect(r.start).toBe(all.length - 10);
    expect(joined(r, 0)).toBe(all.slice(-10));
    expect(joined(r, r.end - 3)).toBe(all.slice(-3));
    // memory stays bounded by the capacity
    expect(r.allocatedBytes).toBeLessThanOrEqual(10);
  });

  it('handles a chunk larger than the capacity', () => {
    const r = new RingBuffer(16, 4);
    r.append(bytes('abc'));
    const big = 'x'.repeat(30) + '0123456789ABCDEF';
    r.append(bytes(big));
    expect(r.end).toBe(3 + big.length);
    expect(r.start).toBe(r.end - 16);
    expect(joined(r, 0)).toBe('0123456789ABCDEF');
    r.append(bytes('!'));
    expect(joined(r, 0)).toBe('123456789ABCDEF!');
  });

  it('stores one-byte echoes without one object per byte', () => {
    const r = new RingBuffer(1024, 256);
    for (let i = 0; i < 10_000; i++) r.append(bytes('k'));
    expect(r.allocatedBytes).toBe(1024);
    expect(joined(r, 0)).toBe('k'.repeat(1024));
  });

  it('charStart skips UTF-8 continuation bytes at the start of the ring', () => {
    const r = new RingBuffer(5, 2);
    r.append(bytes('éééé')); // C3 A9 × 4: start = 3 falls on A9
    expect(r.start).toBe(3);
    expect(r.charStart).toBe(4);
    expect(joined(r, r.charStart)).toBe('éé');
    r.append(bytes('a'));
    expect(r.start).toBe(4);
    expect(r.charStart).toBe(4);
    const e = new RingBuffer(8);
    expect(e.charStart).toBe(0);
  });

  it('matches a reference model through growth and wrap-around, and slices are copies', () => {
    let seed = 42;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const r = new RingBuffer(1000, 16);
    let all = '';
    for (let i = 0; i < 2000; i++) {
      const s = String.fromCharCode(65 + rand(26)).repeat(1 + rand(i % 50 === 0 ? 1500 : 40));
      all += s;
      r.append(bytes(s));
      const from = r.start + rand(r.end - r.start + 1);
      expect(joined(r, from)).toBe(all.slice(from));
      expect(r.allocatedBytes).toBeLessThanOrEqual(1000);
    }
    const copy = r.slice(r.start);
    const before = Buffer.concat(copy).toString();
    r.append(bytes('z'.repeat(999)));
    expect(Buffer.concat(copy).toString()).toBe(before);
  });

  it('starts small and grows only as needed', () => {
    const r = new RingBuffer(256 * 1024);
    r.append(bytes('PROMPT$ '));
    expect(r.allocatedBytes).toBe(16 * 1024);
    r.append(Buffer.alloc(40 * 1024, 0x79));
    expect(r.allocatedBytes).toBe(64 * 1024);
    expect(Buffer.concat(r.slice(0)).subarray(0, 8).toString()).toBe('PROMPT$ ');
  });
});
