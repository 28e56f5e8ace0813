// What the classroom needs from the gateway, with real bash and real ws clients: read-only
// viewers, the input activity hook, and "a command returned" (OSC 133 marks or Enter + quiet).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandDone, TerminalKey } from './gateway';
import { MESSAGES } from './messages';
import { CLOSE_CODES } from './protocol';
import { localBash, ManualClock, markingBash, plain, rawSocket, startTestEdge, TestClient, TEST_PS1, until, type TestEdge } from './testing';

const HIGH = 128 * 1024;
const SCROLLBACK = 64 * 1024;
const QUIET_MS = 400;
const MAX_READ = 64 * 1024;

describe('classroom hooks of the gateway', () => {
  let edge: TestEdge;
  const clock = new ManualClock();
  const inputs: { key: TerminalKey; at: number }[] = [];
  const commands: { key: TerminalKey; done: CommandDone }[] = [];

  beforeAll(async () => {
    edge = await startTestEdge({
      resolveShell: async (key) => (key.node.startsWith('osc') ? markingBash() : localBash()),
      clock,
      heartbeatMs: 0,
      highWaterBytes: HIGH,
      scrollbackBytes: SCROLLBACK,
      commandQuietMs: QUIET_MS,
      onInput: (key, at) => inputs.push({ key, at }),
      onCommandDone: (key, done) => commands.push({ key, done }),
    });
  });
  afterAll(async () => { await edge?.close(); });

  it('a viewer sees the same output and replay, and can never type, resize or reopen', async () => {
    const learner = await TestClient.connect(edge.url('n-view', '1', 'gina'), { cols: 80, rows: 24 });
    await learner.waitForText(TEST_PS1);
    await learner.run('echo BEFORE-$((2+2))');
    const viewer = await TestClient.connect(edge.viewerUrl('n-view', '1', 'gina'), { cols: 33, rows: 11 });
    expect(viewer.messages[0]).toMatchObject({ t: 'attached', mode: 'viewer', reset: true, cols: 80, rows: 24, pid: learner.pid });
    await viewer.waitFor(() => viewer.offset === learner.offset, 5000, 'replay');
    expect(viewer.text).toContain('BEFORE-4');

    const marker = `/tmp/viewer-typed-${process.pid}-${Date.now()}`;
    viewer.type(`touch ${marker}; echo VIEWER-$((3+4))\r`);
    viewer.control({ t: 'resize', cols: 20, rows: 5 });
    viewer.control({ t: 'reopen' });
    await viewer.waitFor(() => viewer.messages.some((m) => m.t === 'error'), 5000, 'read-only answer');
    expect(viewer.messages.filter((m) => m.t === 'error')).toEqual([{ t: 'error', code: 'read-only', message: MESSAGES.readOnly }]);

    // The learner's shell got none of it: its next command runs alone, on the learner's size.
    const out = plain(await learner.run('stty size; history | tail -n 3'));
    expect(out).toMatch(/\n24 80\n/);
    expect(out).not.toContain('touch');
    expect(existsSync(marker)).toBe(false);
    expect(learner.text).not.toContain('VIEWER-7');
    await viewer.waitFor(() => viewer.offset === learner.offset, 5000, 'viewer follows');
    expect(viewer.text.endsWith(learner.text.slice(-200))).toBe(true);
    expect(inputs.every((i) => i.key.learner === 'gina')).toBe(true);
    expect(edge.gateway.list('gina')).toEqual([expect.objectContaining({ node: 'n-view', clients: 1, viewers: 1 })]);

    // An ended shell: a viewer's Enter does not reopen it.
    learner.type('exit 4\r');
    await viewer.waitForText(MESSAGES.exited(4));
    viewer.type('\r');
    viewer.control({ t: 'reopen' });
    const answer = learner.messages.length;
    learner.control({ t: 'resize', cols: 0, rows: 0 }); // a round trip behind the viewer's frames
    await learner.waitFor(() => learner.messages.length > answer, 5000, 'round trip');
    expect(edge.gateway.list('gina')[0]).toMatchObject({ alive: false });
    expect(learner.state).toBe('exited');
    await Promise.all([learner.close(), viewer.close()]);
  });

  it('a slow viewer never pauses the learner; it catches up or resumes with a reset', async () => {
    const learner = await TestClient.connect(edge.url('n-flood', '1', 'hugo'), { keepChars: 4096 });
    await learner.waitForText(TEST_PS1);
    const viewer = await TestClient.connect(edge.viewerUrl('n-flood', '1', 'hugo'), { ack: 'manual', keepChars: 4096 });
    viewer.ack();
    const pauses = edge.gateway.stats().pauses;
    const start = viewer.received;
    // Ten times the high-water mark and far more than the ring holds.
    expect(await learner.run('yes | head -c 3000000 >/dev/tty; echo; echo FLOOD-$((5*5))', 60_000)).toBeDefined();
    expect(edge.gateway.stats().pauses).toBe(pauses);
    expect(viewer.received - start).toBeLessThanOrEqual(HIGH + MAX_READ);
    // The viewer acknowledges: what it missed fell out of the ring, so it is told to reconnect…
    viewer.ack();
    await viewer.waitFor(() => viewer.closeCode !== null, 5000, 'viewer dropped');
    expect(viewer.closeCode).toBe(CLOSE_CODES.slow);
    // …and reconnecting from its offset gives it the ring with a reset, up to the learner's end.
    const again = await TestClient.connect(edge.viewerUrl('n-flood', '1', 'hugo'), { session: viewer.session, offset: viewer.offset });
    expect(again.messages[0]).toMatchObject({ t: 'attached', reset: true });
    await again.waitFor(() => again.offset === learner.offset, 5000, 'caught up');
    expect(again.text).toContain('FLOOD-25');
    await Promise.all([learner.close(), again.close()]);
  });

  it('a viewer never opens a terminal: it waits (4004) until the learner has one', async () => {
    const raw = await rawSocket(edge.viewerUrl('n-none', '1', 'ivan'));
    raw.ws.send(JSON.stringify({ t: 'hello', v: 1, session: null, offset: null }));
    expect(await raw.closed).toBe(CLOSE_CODES.absent);
    expect(JSON.parse(raw.texts[0]!)).toEqual({ t: 'error', code: 'absent', message: MESSAGES.absent('n-none') });
    expect(edge.gateway.list('ivan')).toEqual([]);
  });

  it('a cluster reset closes viewers too', async () => {
    const learner = await TestClient.connect(edge.url('n-reset', '1', 'jade'));
    const viewer = await TestClient.connect(edge.viewerUrl('n-reset', '1', 'jade'));
    await learner.waitForText(TEST_PS1);
    edge.gateway.closeLearner('jade');
    await viewer.waitFor(() => viewer.closeCode !== null, 5000, 'viewer closed');
    expect(viewer.closeCode).toBe(CLOSE_CODES.reset);
    await learner.waitFor(() => learner.closeCode !== null, 5000, 'learner closed');
  });

  it('records when a learner last typed (keyboard and type()), per learner', async () => {
    const a = await TestClient.connect(edge.url('n-act', '1', 'kim'));
    await a.waitForText(TEST_PS1);
    expect(edge.gateway.lastInputAt('kim')).toBeNull();
    clock.advance(5000);
    const t1 = clock.now();
    a.type('echo hi\r');
    await until(() => edge.gateway.lastInputAt('kim') !== null, 'input seen');
    expect(edge.gateway.lastInputAt('kim')).toBe(t1);
    expect(inputs.at(-1)).toEqual({ key: { learner: 'kim', node: 'n-act', tab: '1' }, at: t1 });
    clock.advance(60_000);
    await edge.gateway.type({ learner: 'kim', node: 'n-act', tab: '2' }, 'echo typed\r');
    expect(edge.gateway.lastInputAt('kim')).toBe(t1 + 60_000);
    expect(edge.gateway.list('kim').map((t) => t.lastInputAt).sort()).toEqual([t1, t1 + 60_000]);
    expect(edge.gateway.lastInputAt('nobody')).toBeNull();
    await a.close();
  });

  it('reports a returned command with its exit status when the prompt prints OSC 133 marks', async () => {
    const a = await TestClient.connect(edge.url('osc-1', '1', 'lea'));
    await a.waitForText(TEST_PS1);
    const mine = () => commands.filter((c) => c.key.learner === 'lea').map((c) => c.done);
    expect(mine()).toEqual([]); // the first prompt is not a command
    a.type('false\r');
    await until(() => mine().length === 1, 'first command');
    expect(mine()).toEqual([{ via: 'osc133', exitCode: 1 }]);
    a.type('(exit 7)\r');
    await until(() => mine().length === 2, 'second command');
    expect(mine()[1]).toEqual({ via: 'osc133', exitCode: 7 });
    // No guessing with shell integration: a quiet period reports nothing more.
    clock.advance(10 * QUIET_MS);
    expect(mine()).toHaveLength(2);
    await a.close();
  });

  it('without shell integration, Enter followed by quiet output counts as a returned command', async () => {
    const a = await TestClient.connect(edge.url('n-quiet', '1', 'max'));
    await a.waitForText(TEST_PS1);
    const mine = () => commands.filter((c) => c.key.learner === 'max').map((c) => c.done);
    const from = a.mark;
    a.type('echo quiet-$((8*8))\r');
    await a.waitFor(() => /quiet-64\r\n.*PROMPT\$ $/s.test(a.since(from)), 5000, 'output and prompt');
    expect(mine()).toEqual([]);
    clock.advance(QUIET_MS);
    expect(mine()).toEqual([{ via: 'quiet', exitCode: null }]);
    clock.advance(10 * QUIET_MS);
    expect(mine()).toHaveLength(1);
    await a.close();
  });
});
