// The gateway's mechanics with real ws clients and real bash shells in node-pty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, NodeUnavailableError, type TerminalKey } from './gateway';
import { CLOSE_CODES } from './protocol';
import {
  countOf as count, localBash, plain, processAlive as alive, rawSocket, shellPid, startTestEdge, TestClient, TEST_PS1, until, type TestEdge,
} from './testing';

const HIGH = 256 * 1024;
const SCROLLBACK = 128 * 1024;

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
    const raw = await rawSocket(edge.url('n-proto'));
    raw.ws.send(Buffer.from('ls\r'));
    expect(await raw.closed).toBe(CLOSE_CODES.protocol);
    expect(JSON.parse(raw.texts[0]!)).toMatchObject({ t: 'error', code: 'not-attached' });
    expect(edge.gateway.list('test').some((t) => t.node === 'n-proto')).toBe(false);
  });

  it('refuses another protocol version', async () => {
    const raw = await rawSocket(edge.url('n-version'));
    raw.ws.send(JSON.stringify({ t: 'hello', v: 99, session: null, offset: null }));
    expect(await raw.closed).toBe(CLOSE_CODES.protocol);
    expect(JSON.parse(raw.texts[0]!)).toEqual({ t: 'error', code: 'bad-message', message: MESSAGES.version(99) });
  });

  it('answers malformed frames and keeps the connection and the shell', async () => {
    const a = await TestClient.connect(edge.url('n-garbage'));
    await a.waitForText(TEST_PS1);
    const frames = ['{', 'null', '[]', '{"t":"nope"}', '{"t":"__proto__"}', '{"t":"ack","offset":-1}', '{"t":"ack","offset":"x"}',
      '{"t":"resize","cols":1e9,"rows":1}', '{"t":"hello","v":1,"session":null,"offset":null}', JSON.stringify({ t: 'ack', offset: 2 ** 80 })];
    const before = a.messages.length;
    for (const f of frames) a.ws.send(f);
    await a.waitFor(() => a.messages.filter((m, i) => i >= before && m.t === 'error').length === frames.length, 5000, 'one error per frame');
    const codes = a.messages.slice(before).map((m) => (m.t === 'error' ? m.code : m.t));
    expect(codes.filter((c) => c === 'bad-resize')).toHaveLength(1);
    expect(codes.every((c) => c === 'bad-message' || c === 'bad-resize')).toBe(true);
    expect(a.closeCode).toBeNull();
    expect(await a.run('echo still-$((3+3))')).toContain('still-6');
    await a.close();
  });
});
