// Flow control as a pure class: decisions, hysteresis, viewers, and the ack timeout on fake timers.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlowControl, type FlowDecision } from './flow';
import type { AttachMode } from './protocol';

const HIGH = 1000;
const LOW = 250;
const STALL = 15_000;
const make = () => new FlowControl<string>({ highWaterBytes: HIGH, lowWaterBytes: LOW, stallMs: STALL, now: () => Date.now() });

describe('FlowControl', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('pauses once when a learner client goes above the high-water mark, resumes under the low-water mark', () => {
    const f = make();
    f.attach('a', 0, 'learner');
    expect(f.account('a', HIGH)).toBeNull();
    expect(f.paused).toBe(false);
    expect(f.account('a', 1)).toBe('pause');
    expect(f.account('a', 500)).toBeNull();
    expect(f.paused).toBe(true);
    expect(f.pauses).toBe(1);
    // Hysteresis: under high but above low is not enough.
    expect(f.commit('a', 1000)).toBeNull();
    expect(f.unacked('a')).toBe(501);
    expect(f.paused).toBe(true);
    expect(f.commit('a', 1501 - LOW)).toBe('resume');
    expect(f.paused).toBe(false);
    expect(f.peakUnacked).toBe(1501);
  });

  it('acks are absolute offsets: they never move back, never past what was sent', () => {
    const f = make();
    f.attach('a', 5000, 'learner');
    f.account('a', 300);
    f.commit('a', 5200);
    f.commit('a', 5100);
    expect(f.unacked('a')).toBe(100);
    f.commit('a', 99_999);
    expect(f.unacked('a')).toBe(0);
    expect(f.sentTo('a')).toBe(5300);
  });

  it('the slowest learner client bounds the others: resume only when every one is under the low mark', () => {
    const f = make();
    f.attach('a', 0, 'learner');
    f.attach('b', 0, 'learner');
    expect(f.account('a', HIGH + 1)).toBe('pause');
    expect(f.account('b', HIGH + 1)).toBeNull();
    expect(f.commit('a', HIGH + 1)).toBeNull();
    expect(f.paused).toBe(true);
    expect(f.commit('b', HIGH + 1)).toBe('resume');
  });

  it('a client that leaves releases the pty', () => {
    const f = make();
    f.attach('a', 0, 'learner');
    f.attach('b', 0, 'learner');
    f.account('a', HIGH + 1);
    expect(f.detach('b')).toBeNull();
    expect(f.detach('a')).toBe('resume');
    expect(f.paused).toBe(false);
    expect(f.detach('a')).toBeNull();
  });

  it('a viewer never pauses the pty: it is held, then released once it caught up', () => {
    const f = make();
    f.attach('learner', 0, 'learner');
    f.attach('viewer', 0, 'viewer');
    expect(f.account('viewer', HIGH + 1)).toBe('hold');
    expect(f.isHeld('viewer')).toBe(true);
    expect(f.paused).toBe(false);
    expect(f.account('viewer', 10)).toBeNull();
    expect(f.commit('viewer', 500)).toBeNull();
    expect(f.isHeld('viewer')).toBe(true);
    expect(f.commit('viewer', HIGH + 11 - LOW)).toBe('release');
    expect(f.isHeld('viewer')).toBe(false);
    expect(f.pauses).toBe(0);
  });

  it('ack timeout: a learner client above the mark for more than stallMs is reported only while another keeps up', () => {
    const f = make();
    f.attach('slow', 0, 'learner');
    f.account('slow', HIGH + 1);
    vi.advanceTimersByTime(STALL * 10);
    expect(f.stalled()).toEqual([]); // alone: the shell waits for it
    f.attach('fast', 0, 'learner');
    f.attach('viewer', 0, 'viewer');
    expect(f.stalled()).toEqual(['slow']); // it has been over for long already
    f.commit('slow', HIGH + 1);
    f.account('slow', HIGH + 1);
    vi.advanceTimersByTime(STALL);
    expect(f.stalled()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(f.stalled()).toEqual(['slow']);
  });

  it('a viewer is never the one keeping up, and never reported stalled', () => {
    const f = make();
    f.attach('slow', 0, 'learner');
    f.attach('viewer', 0, 'viewer');
    f.account('slow', HIGH + 1);
    f.account('viewer', HIGH + 1);
    vi.advanceTimersByTime(STALL + 1);
    expect(f.stalled()).toEqual([]);
  });

  it('refuses marks that make no sense', () => {
    expect(() => new FlowControl({ highWaterBytes: 10, lowWaterBytes: 11, stallMs: 1, now: Date.now })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------- properties

type Op =
  | { k: 'attach'; c: number; mode: AttachMode }
  | { k: 'account'; c: number; bytes: number }
  | { k: 'commit'; c: number; back: number }
  | { k: 'detach'; c: number };

const ops = fc.array(
  fc.oneof(
    fc.record({ k: fc.constant('attach' as const), c: fc.integer({ min: 0, max: 3 }), mode: fc.constantFrom<AttachMode>('learner', 'viewer') }),
    fc.record({ k: fc.constant('account' as const), c: fc.integer({ min: 0, max: 3 }), bytes: fc.integer({ min: 0, max: 1500 }) }),
    fc.record({ k: fc.constant('commit' as const), c: fc.integer({ min: 0, max: 3 }), back: fc.integer({ min: 0, max: 1500 }) }),
    fc.record({ k: fc.constant('detach' as const), c: fc.integer({ min: 0, max: 3 }) }),
  ),
  { maxLength: 80 },
);

/** Runs ops on a fresh FlowControl; returns the pty decisions and checks invariants after each step. */
function run(list: Op[], skipViewers: boolean): FlowDecision[] {
  const f = make();
  const modes = new Map<string, AttachMode>();
  const decisions: FlowDecision[] = [];
  for (const op of list) {
    const c = `c${op.c}`;
    const before = f.paused;
    let d: FlowDecision = null;
    if (op.k === 'attach') {
      if (modes.has(c)) continue;
      modes.set(c, op.mode);
      if (skipViewers && op.mode === 'viewer') continue;
      f.attach(c, 0, op.mode);
    } else {
      const mode = modes.get(c);
      if (mode === undefined) continue;
      if (op.k === 'detach') modes.delete(c);
      if (skipViewers && mode === 'viewer') continue;
      if (op.k === 'account') d = f.account(c, op.bytes);
      else if (op.k === 'commit') d = f.commit(c, f.sentTo(c) - op.back);
      else d = f.detach(c);
    }
    // A pty decision is returned exactly when the paused state changes.
    if (d === 'pause') expect([before, f.paused]).toEqual([false, true]);
    else if (d === 'resume') expect([before, f.paused]).toEqual([true, false]);
    else expect(f.paused).toBe(before);
    if (d === 'pause' || d === 'resume') decisions.push(d);
    for (const [client, mode] of modes) {
      if (!f.has(client)) continue;
      const unacked = f.unacked(client);
      if (mode === 'learner' && unacked > HIGH) expect(f.paused).toBe(true);
      if (mode === 'viewer' && f.isHeld(client)) expect(unacked).toBeGreaterThan(LOW);
    }
    if (f.paused) expect([...modes].some(([client, mode]) => mode === 'learner' && f.has(client) && f.unacked(client) > LOW)).toBe(true);
  }
  return decisions;
}

describe('FlowControl properties', () => {
  it('keeps its invariants on any sequence of sends, acks, attaches and detaches', () => {
    fc.assert(fc.property(ops, (list) => { run(list, false); }), { numRuns: 300 });
  });

  it('viewers never change what happens to the pty', () => {
    fc.assert(fc.property(ops, (list) => {
      expect(run(list, false)).toEqual(run(list, true));
    }), { numRuns: 300 });
  });
});
