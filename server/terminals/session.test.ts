// A terminal session's lifecycle without a real pty or socket: an in-memory pty and in-memory
// attachments, fake timers for the grace period. Real ptys and sockets: gateway*.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeUnavailableError, type ShellSpec } from '../drivers/types';
import { realClock } from './clock';
import type { CommandDone } from './command-watch';
import { MESSAGES } from './messages';
import { CLOSE_CODES, type AttachMode, type ServerMessage } from './protocol';
import type { Pty } from './pty';
import { TerminalSession, type Attachment, type SessionOptions } from './session';

class MemoryPty implements Pty {
  static next = 1000;
  readonly pid = MemoryPty.next++;
  readonly written: string[] = [];
  readonly sizes: [number, number][] = [];
  readonly signals: string[] = [];
  pauseCalls = 0;
  resumeCalls = 0;
  paused = false;
  private dataListeners: ((d: Buffer) => void)[] = [];
  private exitListeners: ((code: number) => void)[] = [];
  write(data: string | Buffer): void { this.written.push(data.toString()); }
  resize(cols: number, rows: number): void { this.sizes.push([cols, rows]); }
  pause(): void { this.pauseCalls++; this.paused = true; }
  resume(): void { this.resumeCalls++; this.paused = false; }
  kill(signal = 'SIGHUP'): void { this.signals.push(signal); this.exit(129); }
  onData(l: (d: Buffer) => void): void { this.dataListeners.push(l); }
  onExit(l: (code: number) => void): void { this.exitListeners.push(l); }
  /** The program writes. */
  out(s: string | Buffer): void { for (const l of this.dataListeners) l(typeof s === 'string' ? Buffer.from(s) : s); }
  exit(code: number): void { const ls = this.exitListeners; this.exitListeners = []; for (const l of ls) l(code); }
}

class MemoryClient implements Attachment {
  open = true;
  buffered = 0;
  bytes = Buffer.alloc(0);
  readonly messages: ServerMessage[] = [];
  closedWith: number | null = null;
  constructor(readonly mode: AttachMode = 'learner') {}
  sendBytes(data: Buffer): void { this.bytes = Buffer.concat([this.bytes, data]); }
  sendMessage(msg: ServerMessage): void { this.messages.push(msg); }
  close(code: number): void { this.closedWith = code; this.open = false; }
  get text(): string { return this.bytes.toString('utf8'); }
  attached() { return this.messages.find((m) => m.t === 'attached'); }
}

const HIGH = 1000;
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('TerminalSession', () => {
  let ptys: MemoryPty[];
  let gone: boolean;
  let disposed: TerminalSession[];
  let inputs: number[];
  let commands: CommandDone[];
  let calls: string[];
  const spec: ShellSpec = { file: '/bin/sh', args: [] };

  const open = async (over: Partial<SessionOptions> = {}) => {
    const s = new TerminalSession({ learner: 'l', node: 'worker1', tab: '1' }, {
      resolveShell: async () => {
        calls.push('resolve');
        if (gone) throw new NodeUnavailableError('worker1', 'arrêté');
        return spec;
      },
      probeShell: async () => {
        calls.push('probe');
        if (gone) throw new NodeUnavailableError('worker1', 'arrêté');
      },
      spawn: () => { const p = new MemoryPty(); ptys.push(p); return p; },
      clock: realClock,
      scrollbackBytes: 4096,
      maxPendingInputBytes: 64,
      highWaterBytes: HIGH,
      lowWaterBytes: 250,
      stallMs: 15_000,
      graceMs: 60_000,
      cols: 80,
      rows: 24,
      commandQuietMs: 400,
      onInput: (at) => inputs.push(at),
      onCommandDone: (d) => commands.push(d),
      onDisposed: (x) => disposed.push(x),
      ...over,
    });
    await flush();
    return s;
  };
  const pty = () => ptys.at(-1)!;

  beforeEach(() => {
    vi.useFakeTimers();
    ptys = [];
    gone = false;
    disposed = [];
    inputs = [];
    commands = [];
    calls = [];
  });
  afterEach(() => { vi.useRealTimers(); });

  it('replays the stream on attach: everything on a fresh page, only what is missing on a resume', async () => {
    const s = await open();
    pty().out('one\r\n');
    pty().out('two\r\n');
    const fresh = new MemoryClient();
    s.attach(fresh, { session: null, offset: null });
    expect(fresh.attached()).toMatchObject({ reset: true, offset: 0, state: 'running', pid: pty().pid, mode: 'learner' });
    expect(fresh.text).toBe('one\r\ntwo\r\n');
    pty().out('three\r\n');
    const resumed = new MemoryClient();
    s.attach(resumed, { session: s.id, offset: 5 });
    expect(resumed.attached()).toMatchObject({ reset: false, offset: 5 });
    expect(resumed.text).toBe('two\r\nthree\r\n');
    // Another session id, or an offset past the end: a reset and the whole ring.
    for (const hello of [{ session: 'other', offset: 5 }, { session: s.id, offset: 10_000 }]) {
      const c = new MemoryClient();
      s.attach(c, hello);
      expect(c.attached()).toMatchObject({ reset: true, offset: 0 });
      expect(c.text).toBe('one\r\ntwo\r\nthree\r\n');
    }
  });

  it('the grace period starts when the last client leaves; an attach cancels it', async () => {
    const s = await open();
    const a = new MemoryClient();
    s.attach(a, { session: null, offset: null });
    vi.advanceTimersByTime(10 * 60_000);
    expect(s.disposed).toBe(false);
    s.detach(a);
    vi.advanceTimersByTime(59_999);
    const b = new MemoryClient();
    s.attach(b, { session: s.id, offset: a.bytes.length });
    vi.advanceTimersByTime(10 * 60_000);
    expect(s.disposed).toBe(false);
    s.detach(b);
    vi.advanceTimersByTime(59_999);
    expect(s.disposed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(s.disposed).toBe(true);
    expect(disposed).toEqual([s]);
    expect(pty().signals).toEqual(['SIGHUP']);
  });

  it('a session nobody attached to (type() from the API) expires too', async () => {
    const s = await open();
    vi.advanceTimersByTime(60_000);
    expect(s.disposed).toBe(true);
  });

  it('dispose tells every client why and closes it', async () => {
    const s = await open();
    const a = new MemoryClient();
    const v = new MemoryClient('viewer');
    s.attach(a, { session: null, offset: null });
    s.attach(v, { session: null, offset: null });
    s.dispose('reset');
    for (const c of [a, v]) {
      expect(c.messages.at(-1)).toEqual({ t: 'closed', reason: 'reset', message: MESSAGES.reset });
      expect(c.closedWith).toBe(CLOSE_CODES.reset);
    }
    expect(s.count('learner') + s.count('viewer')).toBe(0);
  });

  it('a disposed session never opens a shell again (frames still in flight from its sockets)', async () => {
    let resolved = 0;
    const s = await open({ resolveShell: async () => { resolved++; return spec; } });
    const a = new MemoryClient();
    s.attach(a, { session: null, offset: null });
    pty().exit(0);
    await flush();
    expect(s.state).toBe('exited');
    s.dispose('reset');
    const before = resolved;
    s.input(Buffer.from('\r'), a);
    s.reopen();
    s.resize(100, 40, a);
    await flush();
    expect(resolved).toBe(before);
    expect(ptys).toHaveLength(1);
    expect(s.cols).toBe(80);
  });

  it('queues input while the shell starts, then writes it in order', async () => {
    let release!: () => void;
    const ready = new Promise<void>((r) => { release = r; });
    const s = await open({ resolveShell: async () => { await ready; return spec; } });
    const a = new MemoryClient();
    s.attach(a, { session: null, offset: null });
    expect(s.state).toBe('starting');
    s.input(Buffer.from('ls'), a);
    s.input(Buffer.from('\r'), a);
    s.input(Buffer.alloc(100, 0x61), a); // over maxPendingInputBytes: dropped
    release();
    await flush();
    expect(s.state).toBe('running');
    expect(pty().written).toEqual(['ls', '\r']);
    expect(a.messages).toContainEqual({ t: 'state', state: 'running', pid: pty().pid });
  });

  it('an exit says so in French; Enter opens a new shell on the same stream', async () => {
    const s = await open();
    const a = new MemoryClient();
    s.attach(a, { session: null, offset: null });
    const first = pty();
    first.exit(3);
    await flush();
    expect(s.state).toBe('exited');
    expect(a.text).toContain(MESSAGES.exited(3));
    s.input(Buffer.from('x'), a);
    expect(ptys).toHaveLength(1);
    s.input(Buffer.from('\r'), a);
    await flush();
    expect(ptys).toHaveLength(2);
    expect(s.state).toBe('running');
    pty().out('again');
    expect(a.text.endsWith('again')).toBe(true);
    expect(a.attached()?.t === 'attached' && a.attached()).toMatchObject({ session: s.id });
  });

  it('a shell that ends because its node is gone says the node is gone', async () => {
    const s = await open();
    const a = new MemoryClient();
    s.attach(a, { session: null, offset: null });
    gone = true;
    pty().exit(137);
    await flush();
    expect(s.state).toBe('unavailable');
    expect(a.text).toContain(MESSAGES.unavailable('worker1'));
    expect(a.text).not.toContain('s’est terminé');
    // The ended shell only probed its node: resolving could have rebuilt a removed cluster.
    expect(calls).toEqual(['resolve', 'probe']);
    await expect(s.write('ls\r')).rejects.toBeInstanceOf(NodeUnavailableError);
    gone = false;
    await s.write('ls\r');
    expect(pty().written).toEqual(['ls\r']);
  });

  it('pauses the pty once above the high-water mark, resumes when the client catches up', async () => {
    const s = await open();
    const a = new MemoryClient();
    s.attach(a, { session: null, offset: null });
    for (let i = 0; i < 5; i++) pty().out(Buffer.alloc(400, 0x79));
    expect(pty().paused).toBe(true);
    expect(pty().pauseCalls).toBe(1);
    s.ack(a, 1900);
    expect(pty().paused).toBe(false);
    expect(pty().resumeCalls).toBe(1);
  });

  it('a new shell starts paused when a client is still behind', async () => {
    const s = await open();
    const a = new MemoryClient();
    s.attach(a, { session: null, offset: null });
    pty().out(Buffer.alloc(HIGH + 1, 0x79));
    pty().exit(0);
    await flush();
    s.reopen();
    await flush();
    expect(ptys).toHaveLength(2);
    expect(pty().paused).toBe(true);
  });

  it('a viewer cannot type, resize or reopen, and never pauses the shell', async () => {
    const s = await open();
    const learner = new MemoryClient();
    const viewer = new MemoryClient('viewer');
    s.attach(learner, { session: null, offset: null, cols: 100, rows: 30 });
    s.attach(viewer, { session: null, offset: null, cols: 40, rows: 10 });
    expect(viewer.attached()).toMatchObject({ mode: 'viewer', cols: 100, rows: 30 });
    s.input(Buffer.from('rm -rf /\r'), viewer);
    s.resize(20, 5, viewer);
    expect(pty().written).toEqual([]);
    expect(pty().sizes).toEqual([[100, 30]]);
    expect(inputs).toEqual([]);
    // A flood the viewer does not acknowledge: held, the learner's shell goes on.
    for (let i = 0; i < 10; i++) {
      pty().out(Buffer.alloc(400, 0x79));
      s.ack(learner, learner.bytes.length);
    }
    expect(pty().pauseCalls).toBe(0);
    expect(viewer.bytes.length).toBeLessThanOrEqual(HIGH + 400);
    // Caught up: the viewer gets exactly what it missed, from the ring.
    s.ack(viewer, viewer.bytes.length);
    expect(viewer.bytes.equals(learner.bytes)).toBe(true);
  });

  it('a held viewer whose missing bytes fell out of the ring is closed to resume with a reset', async () => {
    const s = await open();
    const viewer = new MemoryClient('viewer');
    s.attach(viewer, { session: null, offset: null });
    for (let i = 0; i < 20; i++) pty().out(Buffer.alloc(500, 0x79)); // 10 000 bytes > ring (4096)
    s.ack(viewer, viewer.bytes.length);
    expect(viewer.messages.at(-1)).toMatchObject({ t: 'closed', reason: 'slow' });
    expect(viewer.closedWith).toBe(CLOSE_CODES.slow);
    expect(s.count('viewer')).toBe(0);
  });

  it('records input activity and reports returned commands', async () => {
    const s = await open();
    const a = new MemoryClient();
    s.attach(a, { session: null, offset: null });
    vi.setSystemTime(5_000_000);
    s.input(Buffer.from('echo hi\r'), a);
    expect(inputs).toEqual([5_000_000]);
    expect(s.lastInputAt).toBe(5_000_000);
    pty().out('echo hi\r\nhi\r\n$ ');
    vi.advanceTimersByTime(400);
    expect(commands).toEqual([{ via: 'quiet', exitCode: null }]);
    await s.write('true\r');
    pty().out('\x1b]133;D;0\x07');
    expect(commands.at(-1)).toEqual({ via: 'osc133', exitCode: 0 });
    expect(inputs).toHaveLength(2);
  });
});
