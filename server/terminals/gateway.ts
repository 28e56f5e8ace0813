// The terminal gateway: WebSocket upgrades in, one TerminalSession per (learner, node, tab),
// limits, liveness, and what the rest of the server may ask (type, list, reset, activity).
// The protocol is in PROTOCOL.md; the edge (server/http) authenticates before handleUpgrade.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { NodeUnavailableError, type ShellSpec } from '../drivers/types';
import { every, realClock, type Clock } from './clock';
import type { CommandDone } from './command-watch';
import { MESSAGES, TooManyTerminalsError } from './messages';
import { CLOSE_CODES, MAX_FRAME_BYTES, type AttachMode, type HelloMessage } from './protocol';
import { spawnNodePty, type SpawnPty } from './pty';
import { TerminalSession, type DisposeReason, type TerminalKey } from './session';
import { WireClient } from './wire';

export type { ShellSpec, TerminalKey, CommandDone };
/** Thrown by resolveShell when the node does not exist or is stopped (the drivers' error). */
export { NodeUnavailableError, TooManyTerminalsError, MESSAGES };

export interface GatewayOptions {
  /** How to open a shell on a node (from the driver). Throws NodeUnavailableError when the node is gone. */
  resolveShell(key: TerminalKey): Promise<ShellSpec>;
  /**
   * After a shell ended: throws NodeUnavailableError when its node is gone (the learner did not
   * type `exit`). Must not create anything (default: resolveShell, for shells that create nothing).
   */
  probeShell?(key: TerminalKey): Promise<unknown>;
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
  /** A socket that has not said hello after this long is closed (default 10 s). */
  helloTimeoutMs?: number;
  /** Output silence after Enter that counts as a returned command when the shell prints no OSC 133 mark (default 400 ms). */
  commandQuietMs?: number;
  /** Input reached a learner's shell (keyboard or type()): the learner is active. */
  onInput?(key: TerminalKey, at: number): void;
  /** A command returned in a terminal (OSC 133 mark, or Enter then quiet output): e.g. re-run the checks. */
  onCommandDone?(key: TerminalKey, done: CommandDone): void;
  /** Time source of grace periods, stalls, hello and heartbeat (tests inject one). */
  clock?: Clock;
  /** How ptys are spawned (default node-pty; tests may run without a pty). */
  spawn?: SpawnPty;
}

/** How handleUpgrade attaches the socket. */
export interface UpgradeOptions {
  /** `viewer`: a read-only view (instructor) of a terminal that is already open: same output and replay, input never delivered, never pauses the shell. */
  mode?: AttachMode;
}

export interface TerminalInfo {
  node: string;
  tab: string;
  pid: number;
  /** Learner sockets attached. */
  clients: number;
  /** Read-only viewers attached. */
  viewers: number;
  alive: boolean;
  /** When input last reached this shell (ms since the epoch on the gateway's clock), null if never. */
  lastInputAt: number | null;
}

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

type Settings = Required<Omit<GatewayOptions, 'resolveShell' | 'probeShell' | 'onInput' | 'onCommandDone'>>;

const id = (k: TerminalKey) => JSON.stringify([k.learner, k.node, k.tab]);

export class TerminalGateway {
  private readonly settings: Settings;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly sockets = new Set<WireClient>();
  /** Last input per learner, kept when their terminals end (idle detection). */
  private readonly lastInput = new Map<string, number>();
  private readonly stopTicker: () => void;
  private lastPing: number;
  private closed = false;
  /** Figures of ended sessions, so that stats() peaks cover the gateway's life. */
  private readonly retired = { pauses: 0, peakUnacked: 0, peakRing: 0 };

  constructor(private readonly opts: GatewayOptions) {
    const highWaterBytes = opts.highWaterBytes ?? 512 * 1024;
    this.settings = {
      graceMs: opts.graceMs ?? 15 * 60_000,
      scrollbackBytes: opts.scrollbackBytes ?? 256 * 1024,
      maxInputFrameBytes: opts.maxInputFrameBytes ?? MAX_FRAME_BYTES,
      highWaterBytes,
      lowWaterBytes: opts.lowWaterBytes ?? Math.floor(highWaterBytes / 4),
      stallMs: opts.stallMs ?? 15_000,
      heartbeatMs: opts.heartbeatMs ?? 30_000,
      maxTerminalsPerLearner: opts.maxTerminalsPerLearner ?? 24,
      defaultCols: opts.defaultCols ?? 80,
      defaultRows: opts.defaultRows ?? 24,
      helloTimeoutMs: opts.helloTimeoutMs ?? 10_000,
      commandQuietMs: opts.commandQuietMs ?? 400,
      clock: opts.clock ?? realClock,
      spawn: opts.spawn ?? spawnNodePty,
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.settings.maxInputFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    const { clock, heartbeatMs, stallMs } = this.settings;
    this.lastPing = clock.now();
    const period = Math.max(250, Math.min(heartbeatMs > 0 ? heartbeatMs : Infinity, stallMs) / 2);
    this.stopTicker = every(clock, period, () => this.tick());
  }

  /**
   * The caller has already authenticated the learner and checked Origin; key.learner comes from
   * the token, never from the URL. A viewer may only watch a terminal that is open (else the
   * socket closes with 4004 and retries later); it never creates one.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, key: TerminalKey, options: UpgradeOptions = {}): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const k: TerminalKey = { learner: key.learner, node: key.node, tab: key.tab };
    const mode = options.mode ?? 'learner';
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, k, mode));
  }

  /** Types text into a terminal as if the learner had typed it (creating the pty if needed). */
  async type(key: TerminalKey, text: string): Promise<void> {
    await this.obtain(key).write(text);
  }

  list(learner: string): TerminalInfo[] {
    const out: TerminalInfo[] = [];
    for (const s of this.sessions.values()) {
      if (s.key.learner !== learner) continue;
      out.push({
        node: s.key.node, tab: s.key.tab, pid: s.pid ?? 0, clients: s.count('learner'), viewers: s.count('viewer'),
        alive: s.state === 'running', lastInputAt: s.lastInputAt,
      });
    }
    return out;
  }

  /** When input last reached any of the learner's shells (gateway clock), null if never since the gateway started. */
  lastInputAt(learner: string): number | null {
    return this.lastInput.get(learner) ?? null;
  }

  /** Kill this learner's ptys (cluster reset). Connected clients are told and closed; they reconnect to fresh shells. */
  closeLearner(learner: string): void {
    for (const s of [...this.sessions.values()]) if (s.key.learner === learner) s.dispose('reset');
  }

  /** Kill all, for shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTicker();
    this.disposeAll('shutdown');
    for (const c of this.sockets) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  stats(): GatewayStats {
    let clients = 0, ringBytes = 0, unackedBytes = 0, wsBufferedBytes = 0;
    let { pauses, peakUnacked, peakRing } = this.retired;
    for (const s of this.sessions.values()) {
      ringBytes += s.ring.allocatedBytes;
      peakRing = Math.max(peakRing, s.ring.allocatedBytes);
      peakUnacked = Math.max(peakUnacked, s.flow.peakUnacked);
      pauses += s.flow.pauses;
      unackedBytes += s.flow.totalUnacked();
      for (const c of s.attachments()) {
        clients++;
        wsBufferedBytes += c.buffered;
      }
    }
    return { terminals: this.sessions.size, clients, ringBytes, unackedBytes, wsBufferedBytes, peakUnackedBytes: peakUnacked, peakRingBytes: peakRing, pauses };
  }

  // ---------------------------------------------------------------- sessions

  private obtain(key: TerminalKey): TerminalSession {
    const existing = this.sessions.get(id(key));
    if (existing) return existing;
    const max = this.settings.maxTerminalsPerLearner;
    let held = 0;
    for (const s of this.sessions.values()) if (s.key.learner === key.learner) held++;
    if (held >= max) throw new TooManyTerminalsError(max);
    const k = { ...key };
    const { onInput, onCommandDone } = this.opts;
    const session = new TerminalSession(k, {
      ...this.settings,
      resolveShell: this.opts.resolveShell,
      probeShell: this.opts.probeShell ?? this.opts.resolveShell,
      maxPendingInputBytes: this.settings.maxInputFrameBytes,
      cols: this.settings.defaultCols,
      rows: this.settings.defaultRows,
      onInput: (at) => {
        this.lastInput.set(k.learner, at);
        onInput?.(k, at);
      },
      onCommandDone: onCommandDone ? (done) => onCommandDone(k, done) : undefined,
      onDisposed: (s) => this.forget(s),
    });
    this.sessions.set(id(k), session);
    return session;
  }

  private forget(session: TerminalSession): void {
    if (this.sessions.get(id(session.key)) === session) this.sessions.delete(id(session.key));
    this.retired.pauses += session.flow.pauses;
    this.retired.peakUnacked = Math.max(this.retired.peakUnacked, session.flow.peakUnacked);
    this.retired.peakRing = Math.max(this.retired.peakRing, session.ring.allocatedBytes);
  }

  private disposeAll(reason: DisposeReason): void {
    for (const s of [...this.sessions.values()]) s.dispose(reason);
  }

  // ---------------------------------------------------------------- sockets

  private onConnection(ws: WebSocket, key: TerminalKey, mode: AttachMode): void {
    const client = new WireClient(ws, mode, {
      clock: this.settings.clock,
      helloTimeoutMs: this.settings.helloTimeoutMs,
      attach: (c, hello) => this.attach(c, key, hello),
      closed: (c) => this.sockets.delete(c),
      error: (err) => console.error('terminal gateway:', err),
    });
    this.sockets.add(client);
  }

  private attach(client: WireClient, key: TerminalKey, hello: HelloMessage): TerminalSession | null {
    let session: TerminalSession | undefined;
    if (client.mode === 'viewer') {
      session = this.sessions.get(id(key));
      if (!session) {
        client.sendMessage({ t: 'error', code: 'absent', message: MESSAGES.absent(key.node) });
        client.close(CLOSE_CODES.absent, 'no such terminal');
        return null;
      }
    } else {
      try {
        session = this.obtain(key);
      } catch (err) {
        if (!(err instanceof TooManyTerminalsError)) throw err;
        client.sendMessage({ t: 'error', code: 'too-many', message: err.message });
        client.close(CLOSE_CODES.tooMany, 'too many terminals');
        return null;
      }
    }
    session.attach(client, hello);
    return session;
  }

  /** Heartbeat (ping, drop sockets that missed the previous pong) and stalled clients. */
  private tick(): void {
    const now = this.settings.clock.now();
    for (const s of [...this.sessions.values()]) for (const c of s.flow.stalled()) s.dropSlow(c);
    const { heartbeatMs } = this.settings;
    if (heartbeatMs <= 0 || now - this.lastPing < heartbeatMs) return;
    this.lastPing = now;
    for (const c of [...this.sockets]) c.heartbeat();
  }
}
