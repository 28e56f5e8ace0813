import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as pty from 'node-pty';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { NodeUnavailableError, type ShellSpec } from '../drivers/types';
import { RingBuffer } from './ring';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  RESIZE_MAX,
  RESIZE_MIN,
  type ClientMessage,
  type ServerMessage,
  type TerminalState,
} from './protocol';

export type { ShellSpec };
export interface TerminalKey { learner: string; node: string; tab: string }
export interface GatewayOptions {
  /** How to open a shell on a node (from the driver). Throws NodeUnavailableError when the node is gone. */
  resolveShell(key: TerminalKey): Promise<ShellSpec>;
  /** Pty kept alive after the last client leaves (default 15 min). */
  graceMs?: number;
  /** Output history kept per terminal for replay (default 256 KiB). */
  scrollbackBytes?: number;
  /** Larger WebSocket frames close the connection with 1009 (default 64 KiB). */
  maxInputFrameBytes?: number;
  /** Unacknowledged bytes of one client above which the pty is paused (default 512 KiB). */
  highWaterBytes?: number;
  /** Resume the pty when every client is below this (default highWaterBytes / 4). */
  lowWaterBytes?: number;
  /** A client above the high-water mark for this long is disconnected if other clients of the terminal wait on it (default 15 s). */
  stallMs?: number;
  /** WebSocket ping interval; a client missing a pong is dropped (default 30 s, 0 = off). */
  heartbeatMs?: number;
  /** Terminals one learner may hold at once (all nodes and tabs; default 24). */
  maxTerminalsPerLearner?: number;
  /** Size of a new pty before the first client tells its own (default 80x24). */
  defaultCols?: number;
  defaultRows?: number;
}

/** Thrown by resolveShell when the node does not exist or is stopped (the drivers' error). */
export { NodeUnavailableError };

export interface TerminalInfo { node: string; tab: string; pid: number; clients: number; alive: boolean }

/** Internal figures, for tests and the bench. */
export interface GatewayStats {
  terminals: number;
  clients: number;
  /** Bytes retained by all rings (allocated blocks). */
  ringBytes: number;
  /** Sum over clients of bytes sent and not yet acknowledged. */
  unackedBytes: number;
  /** Sum over clients of bytes queued in ws, not yet handed to the kernel. */
  wsBufferedBytes: number;
  /** Largest unacknowledged backlog of one client ever seen (checked after every send). */
  peakUnackedBytes: number;
  /** Largest ring allocation ever seen. */
  peakRingBytes: number;
  /** How many times a pty was paused for flow control. */
  pauses: number;
}

const CRLF = '\r\n';
/** Leave alternate screen, show cursor, reset colours, stop mouse reporting and bracketed paste. */
const SANE = '\x1b[?1049l\x1b[?25h\x1b[0m\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l';
const DIM = '\x1b[2m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

export const MESSAGES = {
  unavailable: (node: string) =>
    `Le nœud ${node} ne répond plus (arrêté ou supprimé). Réinitialisez le cluster ou attendez qu’il revienne, puis appuyez sur Entrée pour rouvrir un terminal.`,
  exited: (code: number) =>
    `Le terminal s’est terminé (code ${code}). Appuyez sur Entrée pour en ouvrir un nouveau.`,
  failed: (node: string, detail: string) =>
    `Impossible d’ouvrir un terminal sur ${node} : ${detail}. Appuyez sur Entrée pour réessayer.`,
  reset: 'Cluster réinitialisé : ouverture d’un nouveau terminal…',
  expired: 'Terminal fermé après une longue inactivité.',
  shutdown: 'Le serveur s’arrête.',
  slow: 'Affichage trop lent : reconnexion…',
  tooMany: (max: number) => `Trop de terminaux ouverts (${max} au plus) : fermez des onglets ou attendez quelques minutes.`,
};

/** Thrown when a learner already holds `maxTerminalsPerLearner` terminals. */
export class TooManyTerminalsError extends Error {
  constructor(readonly max: number) {
    super(MESSAGES.tooMany(max));
    this.name = 'TooManyTerminalsError';
  }
}

interface Client {
  ws: WebSocket;
  term: Terminal | null;
  /** Absolute offset of the next byte to send. */
  sent: number;
  acked: number;
  /** When the client went above the high-water mark (0 = below). */
  overSince: number;
  alive: boolean;
}

class Terminal {
  readonly session = randomBytes(9).toString('base64url');
  readonly ring: RingBuffer;
  readonly clients = new Set<Client>();
  /** Clients holding the pty paused. */
  readonly blocking = new Set<Client>();
  state: TerminalState = 'starting';
  proc: pty.IPty | null = null;
  /** Input received while the shell is starting (bounded). */
  pendingInput: Buffer[] = [];
  pendingBytes = 0;
  starting: Promise<void> | null = null;
  graceTimer: NodeJS.Timeout | null = null;
  paused = false;
  cols: number;
  rows: number;
  disposed = false;
  /** Bumped at each (re)start: an exit probe from an older shell must not touch a newer one. */
  generation = 0;
  constructor(readonly key: TerminalKey, scrollback: number, cols: number, rows: number) {
    this.ring = new RingBuffer(scrollback);
    this.cols = cols;
    this.rows = rows;
  }
}

const id = (k: TerminalKey) => JSON.stringify([k.learner, k.node, k.tab]);
const validSize = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= RESIZE_MIN && (n as number) <= RESIZE_MAX;

export class TerminalGateway {
  private readonly opts: Required<Omit<GatewayOptions, 'resolveShell'>> & Pick<GatewayOptions, 'resolveShell'>;
  private readonly wss: WebSocketServer;
  private readonly terms = new Map<string, Terminal>();
  private readonly sockets = new Set<WebSocket>();
  private readonly ticker: NodeJS.Timeout;
  private lastPing = Date.now();
  private closed = false;
  private peakUnacked = 0;
  private peakRing = 0;
  private pauses = 0;

  constructor(opts: GatewayOptions) {
    const highWaterBytes = opts.highWaterBytes ?? 512 * 1024;
    this.opts = {
      resolveShell: opts.resolveShell,
      graceMs: opts.graceMs ?? 15 * 60_000,
      scrollbackBytes: opts.scrollbackBytes ?? 256 * 1024,
      maxInputFrameBytes: opts.maxInputFrameBytes ?? 64 * 1024,
      highWaterBytes,
      lowWaterBytes: opts.lowWaterBytes ?? Math.floor(highWaterBytes / 4),
      stallMs: opts.stallMs ?? 15_000,
      heartbeatMs: opts.heartbeatMs ?? 30_000,
      maxTerminalsPerLearner: opts.maxTerminalsPerLearner ?? 24,
      defaultCols: opts.defaultCols ?? 80,
      defaultRows: opts.defaultRows ?? 24,
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.opts.maxInputFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    const every = Math.min(this.opts.heartbeatMs > 0 ? this.opts.heartbeatMs : Infinity, this.opts.stallMs) / 2;
    this.ticker = setInterval(() => this.tick(), Math.max(250, every));
    this.ticker.unref();
  }

  /** The caller has already authenticated the learner and checked Origin; key.learner comes from the token, never from the URL. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, key: TerminalKey): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const k: TerminalKey = { learner: key.learner, node: key.node, tab: key.tab };
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, k));
  }

  /** Types text into a terminal as if the learner had typed it (creating the pty if needed). */
  async type(key: TerminalKey, text: string): Promise<void> {
    const term = this.obtain(key);
    if (term.state === 'exited' || term.state === 'unavailable') this.reopen(term);
    if (term.starting) await term.starting;
    if (term.state !== 'running' || !term.proc) throw new NodeUnavailableError(key.node, 'aucun terminal ouvert sur ce nœud');
    term.proc.write(text);
  }

  list(learner: string): TerminalInfo[] {
    const out: TerminalInfo[] = [];
    for (const t of this.terms.values()) {
      if (t.key.learner !== learner) continue;
      out.push({ node: t.key.node, tab: t.key.tab, pid: t.proc?.pid ?? 0, clients: t.clients.size, alive: t.state === 'running' });
    }
    return out;
  }

  /** Kill this learner's ptys (cluster reset). Connected clients are told and closed; they reconnect to fresh shells. */
  closeLearner(learner: string): void {
    for (const t of [...this.terms.values()]) {
      if (t.key.learner === learner) this.dispose(t, 'reset');
    }
  }

  /** Kill all, for shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ticker);
    for (const t of [...this.terms.values()]) this.dispose(t, 'shutdown');
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  stats(): GatewayStats {
    let clients = 0, ringBytes = 0, unackedBytes = 0, wsBufferedBytes = 0;
    for (const t of this.terms.values()) {
      ringBytes += t.ring.allocatedBytes;
      for (const c of t.clients) {
        clients++;
        unackedBytes += c.sent - c.acked;
        wsBufferedBytes += c.ws.bufferedAmount;
      }
    }
    return {
      terminals: this.terms.size, clients, ringBytes, unackedBytes, wsBufferedBytes,
      peakUnackedBytes: this.peakUnacked, peakRingBytes: this.peakRing, pauses: this.pauses,
    };
  }

  // ---------------------------------------------------------------- terminals

  private obtain(key: TerminalKey): Terminal {
    const k = id(key);
    let term = this.terms.get(k);
    if (!term) {
      let held = 0;
      for (const t of this.terms.values()) if (t.key.learner === key.learner) held++;
      if (held >= this.opts.maxTerminalsPerLearner) throw new TooManyTerminalsError(this.opts.maxTerminalsPerLearner);
      term = new Terminal({ ...key }, this.opts.scrollbackBytes, this.opts.defaultCols, this.opts.defaultRows);
      this.terms.set(k, term);
      this.start(term);
      this.armGrace(term);
    }
    return term;
  }

  private start(term: Terminal): void {
    term.state = 'starting';
    term.generation++;
    term.starting = this.spawn(term).finally(() => { term.starting = null; });
  }

  private async spawn(term: Terminal): Promise<void> {
    let spec: ShellSpec;
    try {
      spec = await this.opts.resolveShell(term.key);
    } catch (err) {
      if (term.disposed) return;
      this.fail(term, err);
      return;
    }
    if (term.disposed) return;
    let proc: pty.IPty;
    try {
      proc = pty.spawn(spec.file, spec.args, {
        name: spec.env?.TERM ?? 'xterm-256color',
        cols: term.cols,
        rows: term.rows,
        cwd: spec.cwd ?? process.env.HOME ?? '/',
        env: spec.env ?? (process.env as Record<string, string>),
        encoding: null,
      });
    } catch (err) {
      this.fail(term, err);
      return;
    }
    term.proc = proc;
    term.paused = false;
    term.state = 'running';
    proc.onData((data) => this.onOutput(term, data as unknown as Buffer));
    proc.onExit(({ exitCode }) => {
      if (term.proc !== proc) return;
      term.proc = null;
      term.paused = false;
      if (term.disposed) return;
      void this.onExit(term, exitCode);
    });
    this.broadcast(term, { t: 'state', state: 'running', pid: proc.pid });
    const pending = term.pendingInput;
    term.pendingInput = [];
    term.pendingBytes = 0;
    for (const b of pending) proc.write(b);
    // A client may already be over the mark from a previous pty's output.
    this.updateFlow(term);
  }

  /** The shell ended: tell apart "the learner typed exit" from "the node is gone" by asking the driver again. */
  private async onExit(term: Terminal, code: number): Promise<void> {
    term.state = 'exited';
    const generation = term.generation;
    let gone = false;
    try {
      await this.opts.resolveShell(term.key);
    } catch (err) {
      gone = err instanceof NodeUnavailableError;
    }
    // Enter may have reopened a shell meanwhile.
    if (term.disposed || term.generation !== generation) return;
    if (gone) {
      term.state = 'unavailable';
      this.say(term, MESSAGES.unavailable(term.key.node), YELLOW);
      this.broadcast(term, { t: 'state', state: 'unavailable', pid: null });
    } else {
      this.say(term, MESSAGES.exited(code), DIM);
      this.broadcast(term, { t: 'state', state: 'exited', pid: null, code });
    }
  }

  private fail(term: Terminal, err: unknown): void {
    term.pendingInput = [];
    term.pendingBytes = 0;
    term.state = 'unavailable';
    const msg = err instanceof NodeUnavailableError
      ? MESSAGES.unavailable(term.key.node)
      : MESSAGES.failed(term.key.node, err instanceof Error ? err.message : String(err));
    this.say(term, msg, YELLOW);
    this.broadcast(term, { t: 'state', state: 'unavailable', pid: null });
  }

  private reopen(term: Terminal): void {
    if (term.state !== 'exited' && term.state !== 'unavailable') return;
    this.emit(term, Buffer.from(CRLF));
    this.start(term);
  }

  /** Writes a French line into the terminal's own stream (so it is replayed like the rest). */
  private say(term: Terminal, text: string, style: string): void {
    this.emit(term, Buffer.from(`${SANE}${CRLF}${style}${text}${RESET}${CRLF}`));
  }

  private onOutput(term: Terminal, data: Buffer): void {
    this.emit(term, data);
  }

  private emit(term: Terminal, data: Buffer): void {
    term.ring.append(data);
    if (term.ring.allocatedBytes > this.peakRing) this.peakRing = term.ring.allocatedBytes;
    let over = false;
    for (const c of term.clients) {
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      c.ws.send(data, { binary: true });
      c.sent += data.length;
      const unacked = c.sent - c.acked;
      if (unacked > this.peakUnacked) this.peakUnacked = unacked;
      if (unacked > this.opts.highWaterBytes) {
        if (!c.overSince) c.overSince = Date.now();
        term.blocking.add(c);
        over = true;
      }
    }
    if (over && !term.paused && term.proc) {
      term.paused = true;
      this.pauses++;
      term.proc.pause();
    }
  }

  private updateFlow(term: Terminal): void {
    for (const c of term.blocking) {
      if (c.sent - c.acked <= this.opts.lowWaterBytes || !term.clients.has(c)) {
        term.blocking.delete(c);
        c.overSince = 0;
      }
    }
    if (term.blocking.size === 0 && term.paused) {
      term.paused = false;
      term.proc?.resume();
    } else if (term.blocking.size > 0 && !term.paused && term.proc) {
      term.paused = true;
      this.pauses++;
      term.proc.pause();
    }
  }

  private armGrace(term: Terminal): void {
    if (term.graceTimer || term.clients.size > 0 || term.disposed) return;
    term.graceTimer = setTimeout(() => {
      term.graceTimer = null;
      if (term.clients.size === 0) this.dispose(term, 'expired');
    }, this.opts.graceMs);
    term.graceTimer.unref();
  }

  private dispose(term: Terminal, reason: 'reset' | 'expired' | 'shutdown' | 'slow'): void {
    if (term.disposed) return;
    term.disposed = true;
    if (term.graceTimer) clearTimeout(term.graceTimer);
    this.terms.delete(id(term.key));
    const proc = term.proc;
    term.proc = null;
    if (proc) {
      try { proc.kill('SIGHUP'); } catch { /* already gone */ }
      // A shell ignoring SIGHUP (or a docker exec child) must not survive.
      const hard = setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* gone */ } }, 2000);
      hard.unref();
      proc.onExit(() => clearTimeout(hard));
    }
    const message = MESSAGES[reason];
    const code = reason === 'shutdown' ? CLOSE_CODES.shutdown : CLOSE_CODES.reset;
    for (const c of term.clients) {
      c.term = null;
      this.send(c, { t: 'closed', reason, message });
      c.ws.close(code, reason);
    }
    term.clients.clear();
    term.blocking.clear();
  }

  // ---------------------------------------------------------------- clients

  private onConnection(ws: WebSocket, key: TerminalKey): void {
    const client: Client = { ws, term: null, sent: 0, acked: 0, overSince: 0, alive: true };
    this.sockets.add(ws);
    // A socket that never says hello must not linger.
    const helloTimer = setTimeout(() => { if (!client.term) ws.close(CLOSE_CODES.protocol, 'hello timeout'); }, 10_000);
    helloTimer.unref();
    ws.on('pong', () => { client.alive = true; });
    ws.on('message', (data, isBinary) => this.onMessage(client, key, data, isBinary));
    ws.on('close', () => { clearTimeout(helloTimer); this.sockets.delete(ws); this.detach(client); });
    ws.on('error', () => { /* 'close' follows */ });
  }

  private onMessage(client: Client, key: TerminalKey, data: RawData, isBinary: boolean): void {
    const term = client.term;
    if (isBinary) {
      if (!term) {
        this.send(client, { t: 'error', code: 'not-attached', message: 'hello attendu avant toute saisie' });
        client.ws.close(CLOSE_CODES.protocol, 'hello first');
        return;
      }
      this.input(term, toBuffer(data));
      return;
    }
    let msg: ClientMessage;
    try {
      msg = JSON.parse(toBuffer(data).toString('utf8')) as ClientMessage;
    } catch {
      this.send(client, { t: 'error', code: 'bad-message', message: 'JSON invalide' });
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    switch (msg.t) {
      case 'hello':
        if (term) {
          this.send(client, { t: 'error', code: 'bad-message', message: 'hello déjà reçu' });
          return;
        }
        if (msg.v !== PROTOCOL_VERSION) {
          this.send(client, { t: 'error', code: 'bad-message', message: `version de protocole ${String(msg.v)} non prise en charge` });
          client.ws.close(CLOSE_CODES.protocol, 'version');
          return;
        }
        this.attach(client, key, msg);
        return;
      case 'ack':
        if (!term) return;
        if (typeof msg.offset === 'number' && Number.isFinite(msg.offset)) {
          client.acked = Math.min(client.sent, Math.max(client.acked, msg.offset));
          if (term.blocking.has(client)) this.updateFlow(term);
        }
        return;
      case 'resize':
        if (!term) return;
        if (!validSize(msg.cols) || !validSize(msg.rows)) {
          this.send(client, { t: 'error', code: 'bad-resize', message: `taille refusée (${RESIZE_MIN} à ${RESIZE_MAX})` });
          return;
        }
        this.resize(term, msg.cols, msg.rows, client);
        return;
      case 'reopen':
        if (term) this.reopen(term);
        return;
      default:
        this.send(client, { t: 'error', code: 'bad-message', message: 'message inconnu' });
    }
  }

  private attach(client: Client, key: TerminalKey, hello: Extract<ClientMessage, { t: 'hello' }>): void {
    let term: Terminal;
    try {
      term = this.obtain(key);
    } catch (err) {
      if (!(err instanceof TooManyTerminalsError)) throw err;
      this.send(client, { t: 'error', code: 'too-many', message: err.message });
      client.ws.close(CLOSE_CODES.tooMany, 'too many terminals');
      return;
    }
    if (term.graceTimer) {
      clearTimeout(term.graceTimer);
      term.graceTimer = null;
    }
    client.term = term;
    term.clients.add(client);
    if (validSize(hello.cols) && validSize(hello.rows)) this.resize(term, hello.cols, hello.rows, null);
    const ring = term.ring;
    const canResume = hello.session === term.session && typeof hello.offset === 'number'
      && hello.offset >= ring.start && hello.offset <= ring.end;
    const from = canResume ? (hello.offset as number) : ring.charStart;
    this.send(client, {
      t: 'attached', session: term.session, offset: from, reset: !canResume,
      state: term.state, pid: term.proc?.pid ?? null, cols: term.cols, rows: term.rows,
    });
    client.sent = from;
    client.acked = from;
    for (const chunk of ring.slice(from)) {
      client.ws.send(chunk, { binary: true });
      client.sent += chunk.length;
    }
    if (client.sent - client.acked > this.opts.highWaterBytes) {
      client.overSince = Date.now();
      term.blocking.add(client);
      this.updateFlow(term);
    }
  }

  private detach(client: Client): void {
    const term = client.term;
    client.term = null;
    if (!term) return;
    term.clients.delete(client);
    if (term.blocking.delete(client)) this.updateFlow(term);
    this.armGrace(term);
  }

  private input(term: Terminal, data: Buffer): void {
    if (term.state === 'running' && term.proc) {
      term.proc.write(data);
    } else if (term.state === 'starting') {
      if (term.pendingBytes + data.length <= this.opts.maxInputFrameBytes) {
        term.pendingInput.push(data);
        term.pendingBytes += data.length;
      }
    } else if (data.includes(13)) {
      this.reopen(term);
    }
  }

  private resize(term: Terminal, cols: number, rows: number, from: Client | null): void {
    if (cols === term.cols && rows === term.rows) return;
    term.cols = cols;
    term.rows = rows;
    try { term.proc?.resize(cols, rows); } catch { /* exited meanwhile */ }
    for (const c of term.clients) if (c !== from) this.send(c, { t: 'resized', cols, rows });
  }

  private broadcast(term: Terminal, msg: ServerMessage): void {
    for (const c of term.clients) this.send(c, msg);
  }

  private send(client: Client, msg: ServerMessage): void {
    if (client.ws.readyState === WebSocket.OPEN) client.ws.send(JSON.stringify(msg));
  }

  /** Heartbeat (ping, drop clients that missed the previous pong) and stalled-client check. */
  private tick(): void {
    const now = Date.now();
    const ping = this.opts.heartbeatMs > 0 && now - this.lastPing >= this.opts.heartbeatMs;
    if (ping) this.lastPing = now;
    for (const t of this.terms.values()) {
      for (const c of [...t.clients]) {
        // Dropping a stalled client only helps when another one is waiting on it.
        if (c.overSince && now - c.overSince > this.opts.stallMs && [...t.clients].some((o) => o !== c && !o.overSince)) {
          this.dropSlow(t, c);
          continue;
        }
        if (!ping) continue;
        if (!c.alive) {
          c.ws.terminate();
          continue;
        }
        c.alive = false;
        try { c.ws.ping(); } catch { /* closing */ }
      }
    }
  }

  private dropSlow(term: Terminal, c: Client): void {
    this.send(c, { t: 'closed', reason: 'slow', message: MESSAGES.slow });
    c.ws.close(CLOSE_CODES.slow, 'slow');
    if (c.term === term) this.detach(c);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
