// One WebSocket of the terminal protocol (PROTOCOL.md): every text frame parsed with the shared
// schemas, refusals answered, binary frames routed as input, and a viewer's input, resize and
// reopen never passed on. Never throws out of a ws event handler.
import { WebSocket, type RawData } from 'ws';
import type { Clock, TimerHandle } from './clock';
import { MESSAGES } from './messages';
import {
  CLOSE_CODES,
  parseClientMessage,
  PROTOCOL_VERSION,
  type AttachMode,
  type ClientMessage,
  type HelloMessage,
  type ServerMessage,
} from './protocol';
import type { Attachment, TerminalSession } from './session';

export interface WireOptions {
  clock: Clock;
  /** A socket that has not said hello after this long is closed. */
  helloTimeoutMs: number;
  /** Finds the session for a hello (creating it for a learner). Null: refused, the socket was answered and closed. */
  attach(client: WireClient, hello: HelloMessage): TerminalSession | null;
  /** The socket closed. */
  closed(client: WireClient): void;
  /** Something unexpected went wrong while handling a frame (logged by the caller). */
  error?(err: unknown): void;
}

export class WireClient implements Attachment {
  /** The session once attached. */
  session: TerminalSession | null = null;
  /** Answered the last ping (heartbeat). */
  alive = true;
  private helloTimer: TimerHandle | null;
  private warnedReadOnly = false;

  constructor(readonly ws: WebSocket, readonly mode: AttachMode, private readonly opts: WireOptions) {
    this.helloTimer = opts.clock.setTimeout(() => {
      this.helloTimer = null;
      if (!this.session) this.close(CLOSE_CODES.protocol, 'hello timeout');
    }, opts.helloTimeoutMs);
    ws.on('pong', () => { this.alive = true; });
    ws.on('message', (data, isBinary) => this.guard(() => this.onFrame(data, isBinary)));
    ws.on('close', () => this.guard(() => this.onClose()));
    ws.on('error', () => { /* 'close' follows */ });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  sendBytes(data: Buffer): void {
    if (this.open) this.ws.send(data, { binary: true });
  }

  sendMessage(msg: ServerMessage): void {
    if (this.open) this.ws.send(JSON.stringify(msg));
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  /** Heartbeat: drops a socket that missed the previous ping, else pings it. */
  heartbeat(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    try { this.ws.ping(); } catch { /* closing */ }
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.onInput(toBuffer(data));
      return;
    }
    const parsed = parseClientMessage(toBuffer(data).toString('utf8'));
    if (!parsed.ok) {
      this.sendMessage({ t: 'error', code: parsed.code, message: parsed.message });
      return;
    }
    this.onMessage(parsed.msg);
  }

  private onInput(data: Buffer): void {
    const session = this.session;
    if (!session) {
      this.sendMessage({ t: 'error', code: 'not-attached', message: MESSAGES.notAttached });
      this.close(CLOSE_CODES.protocol, 'hello first');
      return;
    }
    if (this.mode === 'viewer') this.refuseReadOnly();
    else session.input(data, this);
  }

  private onMessage(msg: ClientMessage): void {
    const session = this.session;
    if (msg.t === 'hello') {
      this.onHello(msg);
      return;
    }
    if (!session) return;
    switch (msg.t) {
      case 'ack':
        session.ack(this, msg.offset);
        return;
      case 'resize':
        if (this.mode === 'viewer') this.refuseReadOnly();
        else session.resize(msg.cols, msg.rows, this);
        return;
      case 'reopen':
        if (this.mode === 'viewer') this.refuseReadOnly();
        else session.reopen();
        return;
    }
  }

  private onHello(hello: HelloMessage): void {
    if (this.session) {
      this.sendMessage({ t: 'error', code: 'bad-message', message: MESSAGES.helloTwice });
      return;
    }
    if (hello.v !== PROTOCOL_VERSION) {
      this.sendMessage({ t: 'error', code: 'bad-message', message: MESSAGES.version(hello.v) });
      this.close(CLOSE_CODES.protocol, 'version');
      return;
    }
    this.clearHelloTimer();
    this.session = this.opts.attach(this, hello);
  }

  /** Tells a viewer once that its input goes nowhere; nothing is forwarded either way. */
  private refuseReadOnly(): void {
    if (this.warnedReadOnly) return;
    this.warnedReadOnly = true;
    this.sendMessage({ t: 'error', code: 'read-only', message: MESSAGES.readOnly });
  }

  private onClose(): void {
    this.clearHelloTimer();
    const session = this.session;
    this.session = null;
    session?.detach(this);
    this.opts.closed(this);
  }

  private clearHelloTimer(): void {
    if (this.helloTimer) this.opts.clock.clearTimeout(this.helloTimer);
    this.helloTimer = null;
  }

  /** A frame must never throw out of ws's event handler: answer, close, and report. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.error?.(err);
      this.sendMessage({ t: 'error', code: 'internal', message: MESSAGES.internal });
      try { this.ws.close(1011, 'internal error'); } catch { /* closing */ }
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
