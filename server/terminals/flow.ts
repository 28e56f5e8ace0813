// Flow control of one terminal, as a pure class: no socket, no pty, no timer of its own.
//
// Modelled on wetty's FlowControl: `account()` counts bytes sent to a client and `commit()` its
// acknowledgements, and both answer what to do. Per client it keeps `sent - acked` (unacknowledged
// bytes). A learner's client above the high-water mark pauses the pty (the program writing
// blocks on the full kernel buffer) until every learner client is back under the low-water mark,
// so the slowest bounds the rate. A viewer never pauses the pty: above the mark it is held (sent
// nothing) and released once it catches up, and the caller sends it what it missed from the ring.
// The ack timeout: a learner client above the mark for longer than `stallMs` while another one
// keeps up is reported by `stalled()`, so that the caller can drop it and the others go on.
import type { AttachMode } from './protocol';

export interface FlowOptions {
  highWaterBytes: number;
  lowWaterBytes: number;
  stallMs: number;
  now(): number;
}

/**
 * What the caller must do: `pause`/`resume` the pty (the terminal as a whole changed state),
 * `hold`/`release` the viewer the call was about; null: nothing.
 */
export type FlowDecision = 'pause' | 'resume' | 'hold' | 'release' | null;

interface Window {
  mode: AttachMode;
  /** Absolute offset of the next byte to send. */
  sent: number;
  acked: number;
  /** When a learner client went above the high-water mark (null: it is not). */
  overSince: number | null;
  /** A viewer above the mark: nothing is sent to it until it catches up. */
  held: boolean;
}

export class FlowControl<C> {
  private readonly windows = new Map<C, Window>();
  /** Learner clients above the high-water mark: the pty stays paused while there is one. */
  private readonly blocking = new Set<C>();
  private _paused = false;
  /** Times the pty was paused. */
  pauses = 0;
  /** Largest unacknowledged backlog of one client ever seen. */
  peakUnacked = 0;

  constructor(private readonly opts: FlowOptions) {
    if (!(opts.lowWaterBytes >= 0 && opts.lowWaterBytes <= opts.highWaterBytes)) {
      throw new RangeError(`flow control: need 0 <= lowWaterBytes (${opts.lowWaterBytes}) <= highWaterBytes (${opts.highWaterBytes})`);
    }
  }

  /** True while the pty must stay paused. */
  get paused(): boolean {
    return this._paused;
  }

  /** A client starts receiving at absolute offset `offset` (its window is empty). */
  attach(client: C, offset: number, mode: AttachMode): void {
    this.windows.set(client, { mode, sent: offset, acked: offset, overSince: null, held: false });
  }

  /** The client left: it no longer holds the pty. */
  detach(client: C): FlowDecision {
    if (!this.windows.delete(client)) return null;
    return this.blocking.delete(client) ? this.unblocked() : null;
  }

  has(client: C): boolean {
    return this.windows.has(client);
  }

  /** Absolute offset of the next byte to send to the client. */
  sentTo(client: C): number {
    return this.window(client).sent;
  }

  unacked(client: C): number {
    const w = this.window(client);
    return w.sent - w.acked;
  }

  /** A held viewer must be sent nothing. */
  isHeld(client: C): boolean {
    return this.windows.get(client)?.held ?? false;
  }

  /** `bytes` more were sent to the client. */
  account(client: C, bytes: number): FlowDecision {
    const w = this.window(client);
    w.sent += bytes;
    const unacked = w.sent - w.acked;
    if (unacked > this.peakUnacked) this.peakUnacked = unacked;
    if (unacked <= this.opts.highWaterBytes) return null;
    if (w.mode === 'viewer') {
      if (w.held) return null;
      w.held = true;
      return 'hold';
    }
    if (w.overSince === null) w.overSince = this.opts.now();
    this.blocking.add(client);
    if (this._paused) return null;
    this._paused = true;
    this.pauses++;
    return 'pause';
  }

  /** The client has processed every byte before absolute `offset` (acks only move forward, never past what was sent). */
  commit(client: C, offset: number): FlowDecision {
    const w = this.window(client);
    w.acked = Math.min(w.sent, Math.max(w.acked, offset));
    if (w.sent - w.acked > this.opts.lowWaterBytes) return null;
    if (w.mode === 'viewer') {
      if (!w.held) return null;
      w.held = false;
      return 'release';
    }
    w.overSince = null;
    return this.blocking.delete(client) ? this.unblocked() : null;
  }

  /** Learner clients above the mark for more than `stallMs` while another learner client keeps up. */
  stalled(): C[] {
    const now = this.opts.now();
    let keepingUp = 0;
    for (const w of this.windows.values()) if (w.mode === 'learner' && w.overSince === null) keepingUp++;
    if (keepingUp === 0) return [];
    const out: C[] = [];
    for (const [c, w] of this.windows) {
      if (w.overSince !== null && now - w.overSince > this.opts.stallMs) out.push(c);
    }
    return out;
  }

  /** Sum of the unacknowledged bytes of all clients. */
  totalUnacked(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.sent - w.acked;
    return n;
  }

  private unblocked(): FlowDecision {
    if (this.blocking.size > 0 || !this._paused) return null;
    this._paused = false;
    return 'resume';
  }

  private window(client: C): Window {
    const w = this.windows.get(client);
    if (!w) throw new Error('flow control: unknown client');
    return w;
  }
}
