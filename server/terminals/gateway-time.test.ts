// Grace period, hello timeout and limits with real bash and real ws clients, on a ManualClock:
// time passes when the test says so, so a slow machine cannot make a reconnect "too late".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, TooManyTerminalsError } from './gateway';
import { CLOSE_CODES, PROTOCOL_VERSION } from './protocol';
import { localBash, ManualClock, processAlive as alive, rawSocket, startTestEdge, TestClient, TEST_PS1, until, type TestEdge } from './testing';

const GRACE_MS = 60_000;

describe('grace period, hello timeout and limits', () => {
  let edge: TestEdge;
  const clock = new ManualClock();
  beforeAll(async () => {
    edge = await startTestEdge({ resolveShell: async () => localBash(), clock, graceMs: GRACE_MS, heartbeatMs: 0, maxTerminalsPerLearner: 2 });
  });
  afterAll(async () => { await edge?.close(); });

  const terminal = (node: string, learner = 'test') => edge.gateway.list(learner).find((t) => t.node === node);
  /** The gateway has seen the socket close (event-driven: the close reaches the server asynchronously). */
  const detached = (node: string, learner = 'test') => until(() => terminal(node, learner)?.clients === 0, `${node} detached`);

  it('keeps the shell while a client is attached and kills it once the grace period after the last one has passed', async () => {
    const a = await TestClient.connect(edge.url('n-grace'));
    await a.waitForText(TEST_PS1);
    const pid = a.pid!;
    clock.advance(10 * GRACE_MS);
    expect(terminal('n-grace')?.pid).toBe(pid);
    expect(await a.run('echo alive-$((1+1))')).toContain('alive-2');
    await a.close();
    await detached('n-grace');
    clock.advance(GRACE_MS - 1);
    expect(terminal('n-grace')?.pid).toBe(pid);
    clock.advance(1);
    expect(terminal('n-grace')).toBeUndefined();
    await until(() => !alive(pid), 'shell killed after grace');
    // The next attach starts a new shell.
    const b = await TestClient.connect(edge.url('n-grace'));
    await b.waitForText(TEST_PS1);
    expect(b.pid).not.toBe(pid);
    await b.close();
  });

  it('a reconnect within the grace period keeps the shell, however long it took in real time', async () => {
    const a = await TestClient.connect(edge.url('n-grace2'));
    await a.waitForText(TEST_PS1);
    const pid = a.pid!;
    await a.close();
    await detached('n-grace2');
    clock.advance(GRACE_MS - 1);
    const b = await TestClient.connect(edge.url('n-grace2'), { session: a.session, offset: a.offset });
    expect(b.pid).toBe(pid);
    expect(b.messages[0]).toMatchObject({ t: 'attached', reset: false });
    clock.advance(10 * GRACE_MS);
    expect(alive(pid)).toBe(true);
    expect(await b.run('echo still-$((2+3))')).toContain('still-5');
    await b.close();
  });

  it('closes a socket that never says hello, on time', async () => {
    const raw = await rawSocket(edge.url('n-silent'));
    clock.advance(9_999);
    raw.ws.ping();
    await new Promise((r) => raw.ws.once('pong', r)); // still open after a round trip
    clock.advance(1);
    expect(await raw.closed).toBe(CLOSE_CODES.protocol);
    expect(terminal('n-silent')).toBeUndefined();
  });

  it('limits the terminals one learner holds', async () => {
    const a = await TestClient.connect(edge.url('n-max', '1', 'erin'));
    const b = await TestClient.connect(edge.url('n-max', '2', 'erin'));
    const raw = await rawSocket(edge.url('n-max', '3', 'erin'));
    raw.ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, session: null, offset: null }));
    expect(await raw.closed).toBe(CLOSE_CODES.tooMany);
    expect(JSON.parse(raw.texts[0]!)).toMatchObject({ t: 'error', code: 'too-many', message: MESSAGES.tooMany(2) });
    await expect(edge.gateway.type({ learner: 'erin', node: 'n-max', tab: '4' }, 'ls\r')).rejects.toBeInstanceOf(TooManyTerminalsError);
    // Reattaching to a held terminal and other learners are not affected.
    const a2 = await TestClient.connect(edge.url('n-max', '1', 'erin'));
    expect(a2.pid).toBe(a.pid);
    const other = await TestClient.connect(edge.url('n-max', '3', 'frank'));
    expect(other.state).not.toBeNull();
    await Promise.all([a.close(), b.close(), a2.close(), other.close()]);
  });
});

describe('heartbeat', () => {
  let edge: TestEdge;
  const clock = new ManualClock();
  const HEARTBEAT_MS = 30_000;
  beforeAll(async () => {
    edge = await startTestEdge({ resolveShell: async () => localBash(), clock, heartbeatMs: HEARTBEAT_MS });
  });
  afterAll(async () => { await edge?.close(); });

  it('drops a socket that does not answer pings, keeps one that does', async () => {
    const good = await TestClient.connect(edge.url('n-hb'));
    await good.waitForText(TEST_PS1);
    const { WebSocket } = await import('ws');
    const mute = new WebSocket(edge.url('n-hb'), { autoPong: false });
    const muteClosed = new Promise<number>((r) => mute.once('close', (code) => r(code)));
    await new Promise((r) => mute.once('open', r));
    mute.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, session: null, offset: null }));
    await until(() => edge.gateway.list('test')[0]?.clients === 2, 'both attached');

    const pinged = new Promise((r) => good.ws.once('ping', r));
    clock.advance(HEARTBEAT_MS);
    await pinged; // its pong leaves before the next frame
    const answers = good.messages.length;
    good.control({ t: 'resize', cols: 0, rows: 0 });
    await good.waitFor(() => good.messages.length > answers, 5000, 'round trip after the pong');
    clock.advance(HEARTBEAT_MS);
    expect(await muteClosed).toBe(1006); // terminated, no closing handshake
    expect(good.closeCode).toBeNull();
    await until(() => edge.gateway.list('test')[0]?.clients === 1, 'mute socket gone');
    expect(await good.run('echo beat-$((6+6))')).toContain('beat-12');
    await good.close();
  });
});
