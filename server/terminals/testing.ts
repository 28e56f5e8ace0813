// Helpers for the gateway's tests and bench: a minimal HTTP edge and a protocol client.
// Not used in production.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { Clock, TimerHandle } from './clock';
import { OSC133_PROMPT_COMMAND } from './command-watch';
import { TerminalGateway, type GatewayOptions, type ShellSpec, type TerminalKey } from './gateway';
import { parseServerMessage, PROTOCOL_VERSION, type ServerMessage } from './protocol';

export const TEST_PS1 = 'PROMPT$ ';

/** A local bash with a fixed prompt, no rc files and in-memory history. */
export function localBash(extraEnv: Record<string, string> = {}): ShellSpec {
  return {
    file: '/bin/bash',
    args: ['--norc', '--noprofile', '-i'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      PS1: TEST_PS1,
      HISTFILE: '/dev/null',
      ...extraEnv,
    },
    cwd: '/tmp',
  };
}

/** A bash whose prompt prints OSC 133 marks (`D;<exit status>` then `A`), like shell integration would. */
export function markingBash(extraEnv: Record<string, string> = {}): ShellSpec {
  return localBash({ PROMPT_COMMAND: OSC133_PROMPT_COMMAND, ...extraEnv });
}

/**
 * A clock that moves only when told: grace periods, stalls and hello timeouts happen when the
 * test says, whatever the machine's speed. Real I/O (ptys, sockets) is unaffected.
 */
export class ManualClock implements Clock {
  private time = 1_000_000;
  private seq = 0;
  private readonly timers = new Map<object, { at: number; seq: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = {};
    this.timers.set(handle, { at: this.time + Math.max(0, ms), seq: this.seq++, fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Moves time forward, running every timer that falls due, in order (including timers they set). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: [object, { at: number; seq: number; fn: () => void }] | null = null;
      for (const entry of this.timers) {
        if (entry[1].at <= target && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq))) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = target;
  }
}

export interface TestEdge {
  gateway: TerminalGateway;
  server: Server;
  /** ws://127.0.0.1:PORT/t/<node>/<tab>?learner=… */
  url(node: string, tab?: string, learner?: string): string;
  /** The same terminal as a read-only viewer: ws://127.0.0.1:PORT/v/<node>/<tab>?learner=… */
  viewerUrl(node: string, tab?: string, learner?: string): string;
  port: number;
  close(): Promise<void>;
}

/**
 * A stand-in for the real edge: no token, no Origin check (tests only). The learner comes from
 * the query string here, which the real edge must never do.
 */
export async function startTestEdge(opts: Partial<GatewayOptions> & Pick<GatewayOptions, 'resolveShell'>): Promise<TestEdge> {
  const gateway = new TerminalGateway(opts);
  const server = createServer((_req, res) => { res.writeHead(404).end(); });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const m = /^\/([tv])\/([\w.-]+)\/(\d{1,3})$/.exec(u.pathname);
    if (!m) { socket.destroy(); return; }
    const key: TerminalKey = { learner: u.searchParams.get('learner') ?? 'test', node: m[2]!, tab: m[3]! };
    gateway.handleUpgrade(req, socket, head, key, { mode: m[1] === 'v' ? 'viewer' : 'learner' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    gateway,
    server,
    port,
    url: (node, tab = '1', learner = 'test') => `ws://127.0.0.1:${port}/t/${node}/${tab}?learner=${encodeURIComponent(learner)}`,
    viewerUrl: (node, tab = '1', learner = 'test') => `ws://127.0.0.1:${port}/v/${node}/${tab}?learner=${encodeURIComponent(learner)}`,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ClientOptions {
  session?: string | null;
  offset?: number | null;
  cols?: number;
  rows?: number;
  /** 'auto': ack every received frame at once; a number: ack once that many bytes are unacknowledged (the browser acks every 32 KiB or when idle); 'manual': never by itself. */
  ack?: 'auto' | 'manual' | number;
  /** Keep only about this many characters of decoded output (default: all). When it trims, `text.length` stops growing: use `mark`/`since()` or `received` (bytes). */
  keepChars?: number;
  maxPayload?: number;
  /** Headers of the handshake (a browser's Cookie and Origin). */
  headers?: Record<string, string>;
}

/** A protocol client that behaves like the browser terminal, without a screen. */
export class TestClient {
  session: string | null = null;
  /** Absolute offset of the next byte expected (what the client "has"). */
  offset = 0;
  /** Bytes received since connect (replay included). */
  received = 0;
  pid: number | null = null;
  state: string | null = null;
  /** Decoded output kept in memory (its tail, see keepChars). */
  text = '';
  /** Characters dropped from the front of `text`: absolute char position of text[0]. */
  dropped = 0;
  readonly messages: ServerMessage[] = [];
  closeCode: number | null = null;
  private waiters = new Set<() => void>();
  private readonly decoder = new TextDecoder();

  private constructor(readonly ws: WebSocket, private readonly opts: ClientOptions) {}

  static connect(url: string, opts: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: opts.maxPayload ?? 64 * 1024 * 1024, headers: opts.headers });
    const c = new TestClient(ws, opts);
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data, isBinary) => c.onMessage(data as Buffer, isBinary));
    ws.on('close', (code) => { c.closeCode = code; c.wake(); });
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => {
        ws.send(JSON.stringify({
          t: 'hello', v: PROTOCOL_VERSION, session: opts.session ?? null, offset: opts.offset ?? null,
          cols: opts.cols ?? 80, rows: opts.rows ?? 24,
        }));
        c.waitFor(() => c.session !== null, 10_000).then(() => resolve(c), reject);
      });
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.offset += data.length;
      this.received += data.length;
      this.text += this.decoder.decode(data, { stream: true });
      const keep = this.opts.keepChars ?? Infinity;
      if (this.text.length > keep * 2) {
        this.dropped += this.text.length - keep;
        this.text = this.text.slice(-keep);
      }
      const policy = this.opts.ack ?? 'auto';
      if (policy === 'auto' || (typeof policy === 'number' && this.offset - this.lastAck >= policy)) this.ack();
    } else {
      const msg = parseServerMessage(data.toString('utf8'));
      if (!msg) throw new Error(`invalid server message: ${data.toString('utf8')}`);
      this.messages.push(msg);
      if (msg.t === 'attached') {
        this.session = msg.session;
        this.offset = msg.offset;
        this.lastAck = msg.offset;
        this.pid = msg.pid;
        this.state = msg.state;
        if (msg.reset) { this.dropped += this.text.length; this.text = ''; }
      } else if (msg.t === 'state') {
        this.state = msg.state;
        this.pid = msg.pid;
      }
    }
    this.wake();
  }

  private lastAck = 0;

  ack(): void {
    this.lastAck = this.offset;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ t: 'ack', offset: this.offset }));
  }

  /** Sends keyboard input (binary frame). */
  type(text: string | Buffer): void {
    this.ws.send(typeof text === 'string' ? Buffer.from(text) : text, { binary: true });
  }

  control(msg: object): void {
    this.ws.send(JSON.stringify(msg));
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  waitFor(cond: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) { done(); resolve(); }
        else if (this.closeCode !== null && this.ws.readyState === WebSocket.CLOSED) {
          done();
          if (cond()) resolve(); else reject(new Error(`socket closed (${this.closeCode}) while waiting for ${what}; output: ${JSON.stringify(this.text.slice(-500))}`));
        }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timeout waiting for ${what}; output tail: ${JSON.stringify(this.text.slice(-500))}`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
    });
  }

  /** Absolute position of the end of the output (to search from later). */
  get mark(): number {
    return this.dropped + this.text.length;
  }

  /** Output since an absolute position (as far as it is kept). */
  since(pos: number): string {
    return this.text.slice(Math.max(0, pos - this.dropped));
  }

  /** Waits until the decoded output matches (searching from the absolute position `from`). */
  waitForText(re: RegExp | string, from = 0, timeoutMs = 15_000): Promise<void> {
    const test = () => {
      const hay = this.since(from);
      return typeof re === 'string' ? hay.includes(re) : re.test(hay);
    };
    return this.waitFor(test, timeoutMs, `output ${String(re)}`);
  }

  /** Runs a command line and waits for a marker printed after it. Returns the output between. */
  async run(command: string, timeoutMs = 15_000): Promise<string> {
    const n = Math.floor(Math.random() * 1e9);
    const from = this.mark;
    // The marker is computed by the shell, so the echoed command line never matches it.
    this.type(`${command}; echo "END-$((${n}+1))"\r`);
    const marker = `END-${n + 1}`;
    await this.waitForText(marker, from, timeoutMs);
    const out = this.since(from);
    return out.slice(0, out.indexOf(marker));
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  /** Drops the TCP connection without a closing handshake (a lost network). */
  kill(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.terminate();
    });
  }
}

/** Output without escape sequences and carriage returns. */
export const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b\][^\x07]*\x07/g, '').replace(/\r/g, '');
export const countOf = (hay: string, needle: string) => hay.split(needle).length - 1;
export const processAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** Waits for something outside the test's reach (a process dying), polling. */
export async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pid the shell reports for itself. */
export const shellPid = async (c: TestClient) => Number(/(\d+)\s*$/.exec((await c.run('echo $$')).trim())?.[1]);

/** A raw WebSocket that records text frames and its close code (for protocol violations). */
export async function rawSocket(url: string): Promise<{ ws: WebSocket; texts: string[]; closed: Promise<number> }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const texts: string[] = [];
  ws.on('message', (d, isBinary) => { if (!isBinary) texts.push(String(d)); });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  return { ws, texts, closed };
}
