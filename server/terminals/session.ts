// One terminal: its shell (spawn, exit, reopen), its output stream (ring, exact replay on
// attach), the sockets attached to it, and how long it outlives the last of them (grace period).
// Knows nothing of WebSockets: sockets are `Attachment`s (wire.ts implements them).
import { randomBytes } from 'node:crypto';
import { NodeUnavailableError, type ShellSpec } from '../drivers/types';
import type { Clock, TimerHandle } from './clock';
import { CommandWatcher, type CommandDone } from './command-watch';
import { FlowControl } from './flow';
import { MESSAGES, NEWLINE, noticeBytes, STYLE } from './messages';
import { CLOSE_CODES, isValidSize, type AttachMode, type CloseReason, type HelloMessage, type ServerMessage, type TerminalState } from './protocol';
import { killHard, type Pty, type SpawnPty } from './pty';
import { RingBuffer } from './ring';

export interface TerminalKey { learner: string; node: string; tab: string }

/** One socket attached to a session, as the session sees it. */
export interface Attachment {
  readonly mode: AttachMode;
  /** False once the socket is closing: nothing is sent to it any more. */
  readonly open: boolean;
  /** Bytes queued in the transport, not yet handed to the kernel (stats). */
  readonly buffered: number;
  sendBytes(data: Buffer): void;
  sendMessage(msg: ServerMessage): void;
  close(code: number, reason: string): void;
}

export interface SessionOptions {
  /** How to open the shell. Throws NodeUnavailableError when the node is gone. */
  resolveShell(key: TerminalKey): Promise<ShellSpec>;
  /** After the shell ended: throws NodeUnavailableError when the node is gone; creates nothing. */
  probeShell(key: TerminalKey): Promise<unknown>;
  spawn: SpawnPty;
  clock: Clock;
  scrollbackBytes: number;
  /** Input kept while the shell starts; more is dropped. */
  maxPendingInputBytes: number;
  highWaterBytes: number;
  lowWaterBytes: number;
  stallMs: number;
  /** The session ends this long after the last socket left. */
  graceMs: number;
  cols: number;
  rows: number;
  /** Output silence after Enter that counts as a finished command when the shell prints no OSC 133 mark. */
  commandQuietMs: number;
  /** Input reached the shell (keyboard or `write`). */
  onInput?(at: number): void;
  /** A command returned (see command-watch.ts); set it to turn the watcher on. */
  onCommandDone?(done: CommandDone): void;
  /** The session ended (grace expired, reset, shutdown). */
  onDisposed(session: TerminalSession): void;
}

export type DisposeReason = Exclude<CloseReason, 'slow'>;

export class TerminalSession {
  /** The stream's id: a client may resume from an offset only within the same session. */
  readonly id = randomBytes(9).toString('base64url');
  readonly ring: RingBuffer;
  readonly flow: FlowControl<Attachment>;
  private readonly clients = new Set<Attachment>();
  private readonly watcher: CommandWatcher | null;
  private _state: TerminalState = 'starting';
  private proc: Pty | null = null;
  /** What the pty was last told (see syncPty). */
  private ptyPaused = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private starting: Promise<void> | null = null;
  /** Bumped at each (re)start: an exit probe from an older shell must not touch a newer one. */
  private generation = 0;
  private grace: TimerHandle | null = null;
  private _disposed = false;
  /** When input last reached the shell (clock time), null if never. */
  lastInputAt: number | null = null;
  cols: number;
  rows: number;

  constructor(readonly key: TerminalKey, private readonly opts: SessionOptions) {
    this.ring = new RingBuffer(opts.scrollbackBytes);
    this.flow = new FlowControl({ ...opts, now: () => opts.clock.now() });
    this.cols = opts.cols;
    this.rows = opts.rows;
    const onDone = opts.onCommandDone;
    this.watcher = onDone ? new CommandWatcher({ clock: opts.clock, quietMs: opts.commandQuietMs, onDone: (d) => onDone(d) }) : null;
    this.start();
    this.armGrace();
  }

  get state(): TerminalState { return this._state; }
  get pid(): number | null { return this.proc?.pid ?? null; }
  get disposed(): boolean { return this._disposed; }

  /** Attached sockets by mode. */
  count(mode: AttachMode): number {
    let n = 0;
    for (const c of this.clients) if (c.mode === mode) n++;
    return n;
  }

  attachments(): Iterable<Attachment> {
    return this.clients;
  }

  // ---------------------------------------------------------------- sockets

  /** Answers `attached` and replays the stream from the client's offset when it can resume, else from the ring's start. */
  attach(client: Attachment, hello: Pick<HelloMessage, 'session' | 'offset' | 'cols' | 'rows'>): void {
    if (this._disposed) throw new Error('attach to a disposed terminal session');
    this.cancelGrace();
    if (client.mode === 'learner' && isValidSize(hello.cols) && isValidSize(hello.rows)) this.resize(hello.cols, hello.rows, client);
    this.clients.add(client);
    const { ring } = this;
    const resume = hello.session === this.id && hello.offset !== null && hello.offset >= ring.start && hello.offset <= ring.end;
    const from = resume && hello.offset !== null ? hello.offset : ring.charStart;
    client.sendMessage({
      t: 'attached', session: this.id, offset: from, reset: !resume, state: this._state, pid: this.pid,
      cols: this.cols, rows: this.rows, mode: client.mode,
    });
    this.flow.attach(client, from, client.mode);
    this.sendFrom(client);
    this.syncPty();
  }

  detach(client: Attachment): void {
    if (!this.clients.delete(client)) return;
    this.flow.detach(client);
    this.syncPty();
    this.armGrace();
  }

  /** The client has processed every byte before `offset`. A released viewer gets what it missed. */
  ack(client: Attachment, offset: number): void {
    if (!this.flow.has(client)) return;
    if (this.flow.commit(client, offset) === 'release') this.sendFrom(client);
    this.syncPty();
  }

  /** Tells a client it was too slow and closes it; it reconnects from its offset. */
  dropSlow(client: Attachment): void {
    client.sendMessage({ t: 'closed', reason: 'slow', message: MESSAGES.slow });
    client.close(CLOSE_CODES.slow, 'slow');
    this.detach(client);
  }

  // ---------------------------------------------------------------- input

  /** Keyboard input of a learner's socket. A viewer's input never reaches the shell. */
  input(data: Buffer, from: Attachment): void {
    if (from.mode !== 'learner' || !this.clients.has(from)) return;
    this.noteInput(data);
    if (this._state === 'running' && this.proc) {
      this.proc.write(data);
    } else if (this._state === 'starting') {
      if (this.pendingBytes + data.length <= this.opts.maxPendingInputBytes) {
        this.pending.push(data);
        this.pendingBytes += data.length;
      }
    } else if (data.includes(13)) {
      this.reopen();
    }
  }

  /** Types text as if a learner had (reopening an ended shell first). */
  async write(text: string): Promise<void> {
    this.reopen();
    if (this.starting) await this.starting;
    if (this._state !== 'running' || !this.proc) throw new NodeUnavailableError(this.key.node, MESSAGES.noShell);
    this.noteInput(Buffer.from(text));
    this.proc.write(text);
  }

  resize(cols: number, rows: number, from: Attachment | null): void {
    if (from?.mode === 'viewer' || this._disposed) return;
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    try { this.proc?.resize(cols, rows); } catch { /* exited meanwhile */ }
    for (const c of this.clients) if (c !== from) c.sendMessage({ t: 'resized', cols, rows });
  }

  /** Starts a new shell if the current one has ended (state exited or unavailable). */
  reopen(): void {
    if (this._disposed || (this._state !== 'exited' && this._state !== 'unavailable')) return;
    this.emit(NEWLINE);
    this.start();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Kills the shell and closes every socket, telling why. */
  dispose(reason: DisposeReason): void {
    if (this._disposed) return;
    this._disposed = true;
    this.cancelGrace();
    this.watcher?.dispose();
    const proc = this.proc;
    this.proc = null;
    if (proc) killHard(proc);
    const code = reason === 'shutdown' ? CLOSE_CODES.shutdown : CLOSE_CODES.reset;
    for (const c of this.clients) {
      c.sendMessage({ t: 'closed', reason, message: MESSAGES[reason] });
      c.close(code, reason);
      this.flow.detach(c);
    }
    this.clients.clear();
    this.opts.onDisposed(this);
  }

  private start(): void {
    this._state = 'starting';
    this.generation++;
    this.watcher?.reset();
    this.starting = this.open().finally(() => { this.starting = null; });
  }

  private async open(): Promise<void> {
    let spec: ShellSpec;
    try {
      spec = await this.opts.resolveShell(this.key);
    } catch (err) {
      if (!this._disposed) this.fail(err);
      return;
    }
    if (this._disposed) return;
    let proc: Pty;
    try {
      proc = this.opts.spawn(spec, { cols: this.cols, rows: this.rows });
    } catch (err) {
      this.fail(err);
      return;
    }
    this.proc = proc;
    this.ptyPaused = false;
    this._state = 'running';
    proc.onData((data) => {
      if (this._disposed) return;
      this.emit(data);
      this.watcher?.output(data);
    });
    proc.onExit((code) => {
      if (this.proc !== proc) return;
      this.proc = null;
      this.ptyPaused = false;
      if (!this._disposed) void this.exited(code);
    });
    this.broadcast({ t: 'state', state: 'running', pid: proc.pid });
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const b of pending) proc.write(b);
    // A client may already be over the mark from a previous shell's output.
    this.syncPty();
  }

  /** The shell ended: tell "the learner typed exit" from "the node is gone" by asking the driver again. */
  private async exited(code: number): Promise<void> {
    this._state = 'exited';
    const generation = this.generation;
    let gone = false;
    try {
      await this.opts.probeShell(this.key);
    } catch (err) {
      gone = err instanceof NodeUnavailableError;
    }
    // Enter may have reopened a shell meanwhile.
    if (this._disposed || this.generation !== generation) return;
    if (gone) {
      this._state = 'unavailable';
      this.emit(noticeBytes(MESSAGES.unavailable(this.key.node), STYLE.warning));
      this.broadcast({ t: 'state', state: 'unavailable', pid: null });
    } else {
      this.emit(noticeBytes(MESSAGES.exited(code), STYLE.dim));
      this.broadcast({ t: 'state', state: 'exited', pid: null, code });
    }
  }

  private fail(err: unknown): void {
    this.pending = [];
    this.pendingBytes = 0;
    this._state = 'unavailable';
    const text = err instanceof NodeUnavailableError
      ? MESSAGES.unavailable(this.key.node)
      : MESSAGES.failed(this.key.node, err instanceof Error ? err.message : String(err));
    this.emit(noticeBytes(text, STYLE.warning));
    this.broadcast({ t: 'state', state: 'unavailable', pid: null });
  }

  private armGrace(): void {
    if (this.grace || this.clients.size > 0 || this._disposed) return;
    this.grace = this.opts.clock.setTimeout(() => {
      this.grace = null;
      if (this.clients.size === 0) this.dispose('expired');
    }, this.opts.graceMs);
  }

  private cancelGrace(): void {
    if (this.grace) this.opts.clock.clearTimeout(this.grace);
    this.grace = null;
  }

  // ---------------------------------------------------------------- output

  /** Appends to the stream and sends to every attached client that is not held back. */
  private emit(data: Buffer): void {
    this.ring.append(data);
    for (const c of this.clients) {
      if (!c.open || this.flow.isHeld(c)) continue;
      c.sendBytes(data);
      this.flow.account(c, data.length);
    }
    this.syncPty();
  }

  /** Sends the stream from what the client was last sent, until it is held; drops it if that fell out of the ring. */
  private sendFrom(client: Attachment): void {
    const from = this.flow.sentTo(client);
    if (from < this.ring.start) {
      this.dropSlow(client);
      return;
    }
    for (const chunk of this.ring.slice(from)) {
      if (!client.open || this.flow.isHeld(client)) return;
      client.sendBytes(chunk);
      this.flow.account(client, chunk.length);
    }
  }

  /** The one place the pty is paused or resumed: it follows the flow control's verdict. */
  private syncPty(): void {
    const paused = this.flow.paused;
    if (!this.proc || this.ptyPaused === paused) return;
    this.ptyPaused = paused;
    if (paused) this.proc.pause();
    else this.proc.resume();
  }

  private broadcast(msg: ServerMessage): void {
    for (const c of this.clients) c.sendMessage(msg);
  }

  private noteInput(data: Uint8Array): void {
    const at = this.opts.clock.now();
    this.lastInputAt = at;
    this.opts.onInput?.(at);
    this.watcher?.input(data);
  }
}
