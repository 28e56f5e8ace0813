// Flow control end to end: real bash floods through real ws clients. Stalls are timed on a
// ManualClock, so nothing here depends on how fast the machine is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from './protocol';
import { localBash, ManualClock, startTestEdge, TestClient, TEST_PS1, until, type TestEdge } from './testing';

const HIGH = 256 * 1024;
const SCROLLBACK = 128 * 1024;
const STALL_MS = 1000;
/** A pty read is at most 64 KiB: a client can overshoot the high-water mark by one read. */
const MAX_READ = 64 * 1024;

describe('flow control with local bash', () => {
  let edge: TestEdge;
  const clock = new ManualClock();

  beforeAll(async () => {
    edge = await startTestEdge({
      resolveShell: async () => localBash(),
      clock,
      heartbeatMs: 0,
      stallMs: STALL_MS,
      scrollbackBytes: SCROLLBACK,
      highWaterBytes: HIGH,
    });
  });
  afterAll(async () => { await edge?.close(); });

  /** Lets the gateway's stall check run, as often as it takes for `cond` (it needs the other client's acks to arrive). */
  const advanceUntil = async (cond: () => boolean, what: string) => {
    for (let i = 0; i < 500 && !cond(); i++) {
      clock.advance(STALL_MS + 1);
      await new Promise((r) => setTimeout(r, 10));
    }
    if (!cond()) throw new Error(`never happened: ${what}`);
  };

  it('a 50 MB flood completes with bounded server buffers', async () => {
    const c = await TestClient.connect(edge.url('n-flood'), { keepChars: 4096 });
    await c.waitForText(TEST_PS1);
    const before = c.received;
    await c.run('yes | head -c 50000000', 120_000);
    // 25 M lines of "y\n", each \n turned into \r\n by the pty
    expect(c.received - before).toBeGreaterThanOrEqual(75_000_000);
    const s = edge.gateway.stats();
    expect(s.peakUnackedBytes).toBeLessThanOrEqual(HIGH + MAX_READ);
    expect(s.peakRingBytes).toBeLessThanOrEqual(SCROLLBACK);
    await c.close();
  });

  it('a client that stops acknowledging pauses the shell; the slowest client bounds the fast one', async () => {
    const url = edge.url('n-slow');
    const slow = await TestClient.connect(url, { ack: 'manual', keepChars: 4096 });
    const fast = await TestClient.connect(url, { keepChars: 4096 });
    await fast.waitForText(TEST_PS1);
    slow.ack();
    const pausesBefore = edge.gateway.stats().pauses;
    const start = slow.received;
    fast.type('yes\r');
    await slow.waitFor(() => slow.received - start > HIGH, 15_000, 'flood started');
    await until(() => edge.gateway.stats().pauses > pausesBefore, 'pty paused');
    // Not a timing assertion: this only gives an unpaused `yes` (tens of MB/s) the chance to
    // overrun the bound; a slow machine can only make the check weaker, never fail it.
    await new Promise((r) => setTimeout(r, 500));
    const bound = HIGH + MAX_READ;
    expect(slow.received - start).toBeLessThanOrEqual(bound);
    expect(fast.received - start).toBeLessThanOrEqual(bound + 4096);
    const s = edge.gateway.stats();
    expect(s.unackedBytes).toBeLessThanOrEqual(2 * bound);
    expect(s.peakUnackedBytes).toBeLessThanOrEqual(bound);

    // Acknowledging resumes the flow.
    const stalledAt = slow.received;
    const drain = setInterval(() => slow.ack(), 5);
    try {
      await slow.waitFor(() => slow.received > stalledAt + 4 * HIGH, 15_000, 'flow resumed');
      fast.type('\x03');
      const from = fast.mark;
      await fast.waitForText(TEST_PS1, from);
      expect(await fast.run('echo after-flood-$((9*9))')).toContain('after-flood-81');
    } finally {
      clearInterval(drain);
    }
    await Promise.all([slow.close(), fast.close()]);
  });

  it('a client that never acknowledges is dropped after stallMs so the others go on', async () => {
    const url = edge.url('n-stall');
    const slow = await TestClient.connect(url, { ack: 'manual', keepChars: 4096 });
    const fast = await TestClient.connect(url, { keepChars: 4096 });
    await fast.waitForText(TEST_PS1);
    slow.ack();
    fast.type('yes | head -c 20000000; echo DONE-$((40+2))\r');
    await slow.waitFor(() => slow.received > HIGH, 15_000, 'slow client over the mark');
    await advanceUntil(() => slow.closeCode !== null, 'slow client dropped');
    expect(slow.closeCode).toBe(CLOSE_CODES.slow);
    expect(slow.messages.at(-1)).toMatchObject({ t: 'closed', reason: 'slow' });
    await fast.waitForText('DONE-42', 0, 60_000);
    await fast.close();
  });

  it('a lone slow client is not dropped: the shell waits for it', async () => {
    const slow = await TestClient.connect(edge.url('n-lone'), { ack: 'manual', keepChars: 4096 });
    await slow.waitForText(TEST_PS1);
    slow.ack();
    slow.type('yes\r');
    await slow.waitFor(() => slow.received > HIGH, 15_000, 'flood');
    clock.advance(20 * STALL_MS);
    // A round trip: had the stall check closed it, the close frame would come before this answer.
    const errors = slow.messages.length;
    slow.control({ t: 'resize', cols: 0, rows: 0 });
    await slow.waitFor(() => slow.messages.length > errors, 5000, 'answer');
    expect(slow.messages.at(-1)).toMatchObject({ t: 'error', code: 'bad-resize' });
    expect(slow.closeCode).toBeNull();
    expect(slow.received).toBeLessThanOrEqual(HIGH + MAX_READ + 4096);
    const drain = setInterval(() => slow.ack(), 5);
    try {
      slow.type('\x03');
      expect(await slow.run('echo seul-$((7*6))', 30_000)).toContain('seul-42');
    } finally {
      clearInterval(drain);
    }
    await slow.close();
  });
});
