// The gateway's mechanics with real ws clients and real bash shells in node-pty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, NodeUnavailableError, TooManyTerminalsError, type TerminalKey } from './gateway';
import { CLOSE_CODES } from './protocol';
import { localBash, startTestEdge, TestClient, TEST_PS1, type TestEdge } from './testing';

/** Output without escape sequences and carriage returns. */
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
const count = (hay: string, needle: string) => hay.split(needle).length - 1;
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const until = async (cond: () => boolean, what: string, timeoutMs = 15_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
/** The pid the shell reports for itself. */
const shellPid = async (c: TestClient) => Number(/(\d+)\s*$/.exec((await c.run('echo $$')).trim())?.[1]);

const HIGH = 256 * 1024;
const SCROLLBACK = 128 * 1024;
/** A pty read is at most 64 KiB: a client can overshoot the high-water mark by one read. */
const MAX_READ = 64 * 1024;

describe('TerminalGateway with local bash', () => {
  let edge: TestEdge;
  const unavailable = new Set<string>();
  const resolved: TerminalKey[] = [];

  beforeAll(async () => {
    edge = await startTestEdge({
      resolveShell: async (key) => {
        resolved.push(key);
        if (unavailable.has(key.node)) throw new NodeUnavailableError(key.node, 'arrêté pour le test');
        return localBash();
      },
      graceMs: 60_000,
      scrollbackBytes: SCROLLBACK,
      highWaterBytes: HIGH,
      maxInputFrameBytes: 64 * 1024,
    });
  });
  afterAll(async () => { await edge?.close(); });

  it('types a command and reads its output back; type() writes into the same shell', async () => {
    const c = await TestClient.connect(edge.url('n-type'));
    expect(c.messages[0]).toMatchObject({ t: 'attached', reset: true, offset: 0 });
    await c.waitForText(TEST_PS1);
    expect(await c.run('echo hello-$((6*7))')).toContain('hello-42');
    const from = c.mark;
    await edge.gateway.type({ learner: 'test', node: 'n-type', tab: '1' }, 'echo typed-$((20+22))\r');
    await c.waitForText('typed-42', from);
    expect(edge.gateway.list('test').find((t) => t.node === 'n-type')).toMatchObject({ tab: '1', clients: 1, alive: true, pid: c.pid });
    await c.close();
  });

  it('a reload reattaches to the same shell, with history, and replays the scrollback exactly once', async () => {
    const url = edge.url('n-reload');
    const a = await TestClient.connect(url);
    await a.waitForText(TEST_PS1);
    const pid = await shellPid(a);
    expect(pid).toBe(a.pid);
    await a.run('echo MARK-$((1000+1))');
    await a.run('echo second-command');
    expect(count(a.text, 'MARK-1001')).toBe(1);
    await a.close();

    // A fresh page: no session, no offset.
    const b = await TestClient.connect(url);
    const attached = b.messages[0];
    expect(attached).toMatchObject({ t: 'attached', reset: true, offset: 0, pid, state: 'running' });
    await b.waitForText('second-command');
    await b.waitFor(() => b.text.endsWith(TEST_PS1), 5000, 'prompt');
    expect(count(b.text, 'MARK-1001')).toBe(1);
    expect(await shellPid(b)).toBe(pid);
    const hist = await b.run('history');
    expect(hist).toMatch(/\d+\s+echo MARK-\$\(\(1000\+1\)\)/);
    expect(hist).toMatch(/\d+\s+echo second-command/);
    await b.close();
  });

  it('a client that only lost its socket gets only the bytes it missed', async () => {
    const url = edge.url('n-partial');
    const a = await TestClient.connect(url);
    const watcher = await TestClient.connect(url);
    await a.waitForText(TEST_PS1);
    await a.run('echo BEFORE-$((1+1))');
    await watcher.waitFor(() => watcher.offset === a.offset, 5000, 'watcher in sync');
    const { session, offset } = a;
    await a.kill();

    const from = watcher.mark;
    await edge.gateway.type({ learner: 'test', node: 'n-partial', tab: '1' }, 'echo MISSED-$((3+4))\r');
    await watcher.waitFor(() => /MISSED-7\r\n.*PROMPT\$ $/s.test(watcher.since(from)), 5000, 'MISSED-7 and prompt');

    const b = await TestClient.connect(url, { session, offset });
    expect(b.messages[0]).toMatchObject({ t: 'attached', reset: false, offset, session });
    await b.waitFor(() => b.offset === watcher.offset, 5000, 'catch up');
    expect(b.received).toBe(watcher.offset - offset);
    expect(b.text).toContain('MISSED-7');
    expect(b.text).not.toContain('BEFORE-2');
    expect(b.text).toBe(watcher.since(from));

    // Missed more than the ring holds: a reset and the whole ring, from its start.
    const { offset: bOffset } = b;
    await b.kill();
    const fromW = watcher.mark;
    await edge.gateway.type({ learner: 'test', node: 'n-partial', tab: '1' }, `head -c ${SCROLLBACK + 1000} /dev/zero | tr '\\0' y; echo; echo LOST-$((1+2))\r`);
    await watcher.waitFor(() => /LOST-3\r\n.*PROMPT\$ $/s.test(watcher.since(fromW)), 15_000, 'LOST-3');
    const d = await TestClient.connect(url, { session, offset: bOffset });
    expect(d.messages[0]).toMatchObject({ t: 'attached', reset: true, offset: watcher.offset - SCROLLBACK });
    await d.waitFor(() => d.offset === watcher.offset, 5000, 'full ring');
    expect(d.received).toBe(SCROLLBACK);
    await d.close();

    // A stale session id (e.g. after the terminal was recreated) gets a full replay with reset.
    const c = await TestClient.connect(url, { session: 'stale', offset });
    expect(c.messages[0]).toMatchObject({ t: 'attached', reset: true, offset: watcher.offset - SCROLLBACK });
    await Promise.all([c.close(), watcher.close()]);
  });

  it('two clients on one terminal both see the output, and both can type', async () => {
    const url = edge.url('n-two');
    const a = await TestClient.connect(url);
    const b = await TestClient.connect(url);
    await a.waitForText(TEST_PS1);
    const fromB = b.mark;
    await a.run('echo from-a-$((5*5))');
    await b.waitForText('from-a-25', fromB);
    const fromA = a.mark;
    await b.run('echo from-b-$((6*6))');
    await a.waitForText('from-b-36', fromA);
    expect(a.pid).toBe(b.pid);
    expect(edge.gateway.list('test').find((t) => t.node === 'n-two')?.clients).toBe(2);
    await Promise.all([a.close(), b.close()]);
  });

  it('learners are isolated: same node and tab, different shells', async () => {
    const a = await TestClient.connect(edge.url('n-iso', '1', 'alice'));
    const b = await TestClient.connect(edge.url('n-iso', '1', 'bob'));
    await a.waitForText(TEST_PS1);
    await b.waitForText(TEST_PS1);
    expect(a.pid).not.toBe(b.pid);
    expect(edge.gateway.list('alice').map((t) => t.pid)).toEqual([a.pid]);
    // a second tab on the same node is another shell too
    const a2 = await TestClient.connect(edge.url('n-iso', '2', 'alice'));
    expect(a2.pid).not.toBe(a.pid);
    await Promise.all([a.close(), b.close(), a2.close()]);
  });

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

  it('flow control: a client that stops acknowledging pauses the shell; the slowest client bounds the fast one', async () => {
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
    // Give `yes` plenty of time to prove it is held back (it writes tens of MB per second).
    await new Promise((r) => setTimeout(r, 1500));
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

  it('refuses an oversized input frame (1009) without harming the shell', async () => {
    const url = edge.url('n-big');
    const a = await TestClient.connect(url);
    await a.waitForText(TEST_PS1);
    const pid = a.pid;
    a.type(Buffer.alloc(64 * 1024 + 1, 0x61));
    await a.waitFor(() => a.closeCode !== null, 5000, 'close');
    expect(a.closeCode).toBe(1009);
    const b = await TestClient.connect(url);
    expect(b.pid).toBe(pid);
    expect(await b.run('echo still-$((2+2))')).toContain('still-4');
    // A frame at the limit is accepted.
    b.type(Buffer.alloc(64 * 1024, 0x20));
    b.type('\x15');
    expect(await b.run('echo ok-$((1+1))')).toContain('ok-2');
    await b.close();
  });

  it('applies a resize and rejects invalid sizes', async () => {
    const a = await TestClient.connect(edge.url('n-size'), { cols: 80, rows: 24 });
    await a.waitForText(TEST_PS1);
    expect(plain(await a.run('stty size'))).toMatch(/\n24 80\n/);
    a.control({ t: 'resize', cols: 123, rows: 45 });
    expect(plain(await a.run('stty size'))).toMatch(/\n45 123\n/);
    for (const bad of [{ cols: 0, rows: 10 }, { cols: 501, rows: 10 }, { cols: 10, rows: 1.5 }, { cols: '80', rows: 10 }]) {
      const errors = a.messages.filter((m) => m.t === 'error').length;
      a.control({ t: 'resize', ...bad });
      await a.waitFor(() => a.messages.filter((m) => m.t === 'error').length > errors, 5000, 'error');
      expect(a.messages.at(-1)).toMatchObject({ t: 'error', code: 'bad-resize' });
    }
    expect(plain(await a.run('stty size'))).toMatch(/\n45 123\n/);
    // A second client is told about the new size.
    const b = await TestClient.connect(edge.url('n-size'), { cols: 100, rows: 30 });
    await a.waitFor(() => a.messages.some((m) => m.t === 'resized' && m.cols === 100 && m.rows === 30), 5000, 'resized');
    await Promise.all([a.close(), b.close()]);
  });

  it('an `exit` ends cleanly with a French line, and Enter opens a new shell', async () => {
    const a = await TestClient.connect(edge.url('n-exit'));
    await a.waitForText(TEST_PS1);
    const pid = a.pid!;
    a.type('exit 3\r');
    await a.waitForText(MESSAGES.exited(3));
    expect(a.state).toBe('exited');
    await until(() => !alive(pid), 'old shell gone');
    const from = a.mark;
    a.type('\r');
    await a.waitForText(TEST_PS1, from);
    expect(a.state).toBe('running');
    expect(a.pid).not.toBe(pid);
    expect(await shellPid(a)).toBe(a.pid);
    await a.close();
  });

  it('a node that is gone gets the French message, and Enter retries once it is back', async () => {
    unavailable.add('worker2');
    const a = await TestClient.connect(edge.url('worker2'));
    await a.waitForText(MESSAGES.unavailable('worker2'));
    expect(a.state).toBe('unavailable');
    a.type('\r');
    await a.waitFor(() => count(a.text, MESSAGES.unavailable('worker2')) === 2, 5000, 'second message');
    unavailable.delete('worker2');
    const from = a.mark;
    a.type('\r');
    await a.waitForText(TEST_PS1, from);
    expect(await a.run('echo back-$((4*4))')).toContain('back-16');
    // type() on an unavailable node rejects with NodeUnavailableError
    unavailable.add('worker9');
    await expect(edge.gateway.type({ learner: 'test', node: 'worker9', tab: '1' }, 'ls\r')).rejects.toBeInstanceOf(NodeUnavailableError);
    await a.close();
  });

  it('a shell killed under the learner (container died) says the node is gone', async () => {
    const a = await TestClient.connect(edge.url('worker3'));
    await a.waitForText(TEST_PS1);
    unavailable.add('worker3');
    process.kill(a.pid!, 'SIGKILL');
    await a.waitForText(MESSAGES.unavailable('worker3'));
    expect(a.text).not.toContain('Le terminal s’est terminé');
    expect(a.state).toBe('unavailable');
    unavailable.delete('worker3');
    await a.close();
  });

  it('closeLearner kills the learner’s shells and tells the clients', async () => {
    const a = await TestClient.connect(edge.url('n-reset', '1', 'carol'));
    const b = await TestClient.connect(edge.url('n-reset', '2', 'carol'));
    const other = await TestClient.connect(edge.url('n-reset', '1', 'dave'));
    await a.waitForText(TEST_PS1);
    await b.waitForText(TEST_PS1);
    const pids = [a.pid!, b.pid!];
    edge.gateway.closeLearner('carol');
    await a.waitFor(() => a.closeCode !== null, 5000, 'closed');
    expect(a.closeCode).toBe(CLOSE_CODES.reset);
    expect(a.messages.at(-1)).toMatchObject({ t: 'closed', reason: 'reset' });
    await until(() => pids.every((p) => !alive(p)), 'shells killed');
    expect(edge.gateway.list('carol')).toEqual([]);
    expect(edge.gateway.list('dave')).toHaveLength(1);
    expect(alive(other.pid!)).toBe(true);
    await other.close();
  });

  it('rejects binary input before hello', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(edge.url('n-proto'));
    await new Promise((r) => ws.once('open', r));
    ws.send(Buffer.from('ls\r'));
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)));
    expect(code).toBe(CLOSE_CODES.protocol);
  });
});

describe('grace period and stalled clients', () => {
  let edge: TestEdge;
  beforeAll(async () => {
    edge = await startTestEdge({ resolveShell: async () => localBash(), graceMs: 600, highWaterBytes: 64 * 1024, stallMs: 1000, maxTerminalsPerLearner: 2 });
  });
  afterAll(async () => { await edge?.close(); });

  it('keeps the shell while a client is attached and kills it after the grace period', async () => {
    const a = await TestClient.connect(edge.url('n-grace'));
    await a.waitForText(TEST_PS1);
    const pid = a.pid!;
    await new Promise((r) => setTimeout(r, 1500));
    expect(alive(pid)).toBe(true);
    await a.close();
    await until(() => !alive(pid), 'shell killed after grace');
    expect(edge.gateway.list('test').filter((t) => t.node === 'n-grace')).toEqual([]);
    // The next attach starts a new shell.
    const b = await TestClient.connect(edge.url('n-grace'));
    await b.waitForText(TEST_PS1);
    expect(b.pid).not.toBe(pid);
    await b.close();
  });

  it('a reconnect within the grace period keeps the shell', async () => {
    const a = await TestClient.connect(edge.url('n-grace2'));
    await a.waitForText(TEST_PS1);
    const pid = a.pid!;
    await a.close();
    const b = await TestClient.connect(edge.url('n-grace2'));
    expect(b.pid).toBe(pid);
    await new Promise((r) => setTimeout(r, 1200));
    expect(alive(pid)).toBe(true);
    await b.close();
  });

  it('a client that never acknowledges is dropped after stallMs so the others go on', async () => {
    const url = edge.url('n-stall');
    const slow = await TestClient.connect(url, { ack: 'manual', keepChars: 4096 });
    const fast = await TestClient.connect(url, { keepChars: 4096 });
    await fast.waitForText(TEST_PS1);
    slow.ack();
    fast.type('yes | head -c 20000000; echo DONE-$((40+2))\r');
    await slow.waitFor(() => slow.closeCode !== null, 10_000, 'slow client dropped');
    expect(slow.closeCode).toBe(CLOSE_CODES.slow);
    await fast.waitForText('DONE-42', 0, 60_000);
    await fast.close();
  });

  it('a lone slow client is not dropped: the shell waits for it', async () => {
    const slow = await TestClient.connect(edge.url('n-lone'), { ack: 'manual', keepChars: 4096 });
    await slow.waitForText(TEST_PS1);
    slow.ack();
    slow.type('yes\r');
    await until(() => edge.gateway.list('test').some((t) => t.node === 'n-lone') && slow.received > 64 * 1024, 'flood');
    await new Promise((r) => setTimeout(r, 2500));
    expect(slow.closeCode).toBeNull();
    expect(slow.received).toBeLessThanOrEqual(64 * 1024 + MAX_READ + 4096);
    const drain = setInterval(() => slow.ack(), 5);
    try {
      slow.type('\x03');
      expect(await slow.run('echo seul-$((7*6))', 30_000)).toContain('seul-42');
    } finally {
      clearInterval(drain);
    }
    await slow.close();
  });

  it('limits the terminals one learner holds', async () => {
    const a = await TestClient.connect(edge.url('n-max', '1', 'erin'));
    const b = await TestClient.connect(edge.url('n-max', '2', 'erin'));
    const ws = new (await import('ws')).WebSocket(edge.url('n-max', '3', 'erin'));
    const got: string[] = [];
    ws.on('message', (d) => got.push(String(d)));
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, session: null, offset: null })));
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)));
    expect(code).toBe(CLOSE_CODES.tooMany);
    expect(JSON.parse(got[0]!)).toMatchObject({ t: 'error', code: 'too-many', message: MESSAGES.tooMany(2) });
    await expect(edge.gateway.type({ learner: 'erin', node: 'n-max', tab: '4' }, 'ls\r')).rejects.toBeInstanceOf(TooManyTerminalsError);
    // Reattaching to a held terminal and other learners are not affected.
    const a2 = await TestClient.connect(edge.url('n-max', '1', 'erin'));
    expect(a2.pid).toBe(a.pid);
    const other = await TestClient.connect(edge.url('n-max', '3', 'frank'));
    expect(other.state).not.toBeNull();
    await Promise.all([a.close(), b.close(), a2.close(), other.close()]);
  });
});
