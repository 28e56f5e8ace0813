// One terminal's WebSocket: attach with exact replay, acks after xterm has written, reconnect
// with backoff. Protocol: server/terminals/PROTOCOL.md; constants and schemas are shared with
// the server (src/shared/terminal-protocol.ts).
import {
  ACK_EVERY_BYTES,
  CLOSE_CODES,
  INPUT_CHUNK_BYTES,
  parseServerMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ServerMessage,
  type TerminalState,
} from '../../shared/terminal-protocol';
import { reconnectDelay } from '../../shared/poll';

/** Close codes after which retrying at once is pointless: wait the longest backoff. */
const RETRY_SLOWLY: readonly number[] = [CLOSE_CODES.protocol, CLOSE_CODES.tooMany, CLOSE_CODES.absent];

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface TerminalSink {
  /** Write terminal bytes; call `done` once they are processed (xterm's write callback). */
  write(data: Uint8Array, done: () => void): void;
  /** Clear the screen before a full replay. */
  reset(): void;
  /** A line of information from the page itself (not from the shell). */
  notice(text: string): void;
  size(): { cols: number; rows: number };
  status(s: ConnectionStatus): void;
  state?(s: TerminalState): void;
  /** The pty's size changed (another client resized it); a viewer should follow it. */
  resized?(cols: number, rows: number): void;
}

export interface ConnectionOptions {
  /**
   * A read-only view (the URL must be a viewer route, the server enforces it): no input, no
   * resize is ever sent, and the screen follows the pty's size through `sink.resized`.
   */
  viewer?: boolean;
}

export class TerminalConnection {
  private ws: WebSocket | null = null;
  private session: string | null = null;
  /** Absolute offset of the next byte we lack (bytes handed to xterm). */
  private offset = 0;
  /** Absolute offset up to which xterm has processed. */
  private processed = 0;
  private acked = 0;
  private pendingWrites = 0;
  private attached = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private lastStatus: ConnectionStatus | null = null;
  private readonly encoder = new TextEncoder();
  state: TerminalState | null = null;
  pid: number | null = null;
  /** A notice to show again after the reset that the next attach will do (cluster reset). */
  private carryNotice: string | null = null;

  private readonly viewer: boolean;

  constructor(private readonly url: () => string, private readonly sink: TerminalSink, options: ConnectionOptions = {}) {
    this.viewer = options.viewer ?? false;
  }

  start(): void {
    if (this.ws || this.disposed || this.timer) return;
    this.connect();
  }

  get status(): ConnectionStatus | null {
    return this.lastStatus;
  }

  /** Keyboard input (a string from xterm's onData, or raw bytes from onBinary). */
  send(data: string | Uint8Array<ArrayBuffer>): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.attached || this.viewer) return;
    const bytes = typeof data === 'string' ? this.encoder.encode(data) : data;
    for (let i = 0; i < bytes.length; i += INPUT_CHUNK_BYTES) ws.send(bytes.subarray(i, i + INPUT_CHUNK_BYTES));
  }

  resize(cols: number, rows: number): void {
    if (!this.viewer) this.control({ t: 'resize', cols, rows });
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      ws.close(1000, 'page');
    }
    this.setStatus('closed');
  }

  private control(msg: ClientMessage): void {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN && (this.attached || msg.t === 'hello')) ws.send(JSON.stringify(msg));
  }

  private setStatus(s: ConnectionStatus): void {
    if (s === this.lastStatus) return;
    this.lastStatus = s;
    this.sink.status(s);
  }

  private connect(): void {
    this.timer = null;
    this.setStatus(this.session === null && this.attempt === 0 ? 'connecting' : 'reconnecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.attached = false;
    ws.onopen = () => {
      const { cols, rows } = this.sink.size();
      ws.send(JSON.stringify({
        t: 'hello', v: PROTOCOL_VERSION, session: this.session, offset: this.session ? this.offset : null, cols, rows,
      } satisfies ClientMessage));
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) {
        this.onOutput(new Uint8Array(ev.data));
        return;
      }
      const msg = parseServerMessage(String(ev.data));
      if (msg) this.onControl(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.attached = false;
      if (this.disposed) return;
      if (ev.code === CLOSE_CODES.tooBig) this.sink.notice('Saisie trop longue refusée par le serveur\u00a0: reconnexion…');
      this.scheduleReconnect(RETRY_SLOWLY.includes(ev.code));
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  private scheduleReconnect(slow = false): void {
    if (this.disposed) return;
    const delay = reconnectDelay(this.attempt, slow);
    this.attempt++;
    this.setStatus('reconnecting');
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private onControl(msg: ServerMessage): void {
    switch (msg.t) {
      case 'attached':
        if (msg.reset) {
          this.sink.reset();
          if (this.carryNotice) this.sink.notice(this.carryNotice);
        }
        this.carryNotice = null;
        this.session = msg.session;
        this.offset = this.processed = this.acked = msg.offset;
        this.pendingWrites = 0;
        this.attached = true;
        this.attempt = 0;
        this.state = msg.state;
        this.pid = msg.pid;
        this.sink.state?.(msg.state);
        this.setStatus('open');
        if (this.viewer) {
          this.sink.resized?.(msg.cols, msg.rows);
          return;
        }
        // Our size may differ from the pty's (another tab, or a resize while disconnected).
        {
          const { cols, rows } = this.sink.size();
          if (cols !== msg.cols || rows !== msg.rows) this.resize(cols, rows);
        }
        return;
      case 'state':
        this.state = msg.state;
        this.pid = msg.pid;
        this.sink.state?.(msg.state);
        return;
      case 'closed':
        // The socket closes right after; a reset means a fresh shell on reconnect.
        this.sink.notice(msg.message);
        if (msg.reason === 'reset') {
          this.attempt = 0;
          this.carryNotice = msg.message;
        }
        return;
      case 'error':
        if (msg.code === 'bad-resize') return;
        this.sink.notice(msg.message);
        return;
      case 'resized':
        this.sink.resized?.(msg.cols, msg.rows);
        return;
    }
  }

  private onOutput(data: Uint8Array): void {
    if (!this.attached) return;
    const end = this.offset + data.length;
    this.offset = end;
    this.pendingWrites++;
    const ws = this.ws;
    this.sink.write(data, () => {
      if (this.ws !== ws) return; // a reconnect reset the counters meanwhile
      this.pendingWrites--;
      this.processed = end;
      if (this.processed - this.acked >= ACK_EVERY_BYTES || this.pendingWrites === 0) {
        this.acked = this.processed;
        this.control({ t: 'ack', offset: this.acked });
      }
    });
  }
}
