// The browser side of the live channel (src/shared/live-protocol.ts): one WebSocket per page,
// opened on first use, reconnected with backoff. Features subscribe to a topic (the data is
// parsed with the topic's schema: a frame that does not fit is ignored) and send on the topics
// the server lets pages use. `onOpen` listeners run at every (re)connection, so a feature
// announces its state again (which lab slide is open…) after a network cut or a server restart.
import { LIVE_CLOSE_CODES, frame, parseEnvelope, type Topic } from '../shared/live-protocol';
import { reconnectDelay } from '../shared/poll';
import { liveUrl } from './api';

export type LiveStatus = 'connecting' | 'open' | 'closed';

export class LiveChannel {
  private ws: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private disposed = false;
  private readonly subscribers = new Map<string, Set<(data: unknown) => void>>();
  private readonly topics = new Map<string, Topic<unknown, unknown>>();
  private readonly openListeners = new Set<() => void>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  status: LiveStatus = 'connecting';

  constructor(private readonly url: () => string) {
    this.connect();
  }

  /** Calls `handler` with every valid message on `t`; returns the unsubscribe function. */
  subscribe<Down, Up>(t: Topic<Down, Up>, handler: (data: Down) => void): () => void {
    this.topics.set(t.name, t as Topic<unknown, unknown>);
    let set = this.subscribers.get(t.name);
    if (!set) this.subscribers.set(t.name, (set = new Set()));
    const h = handler as (data: unknown) => void;
    set.add(h);
    return () => void set.delete(h);
  }

  /** Runs at every (re)connection, and at once if the channel is open now. */
  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    if (this.status === 'open') listener();
    return () => void this.openListeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  /** Sends `data` on `t` if the channel is open (true); otherwise the `onOpen` listeners will. */
  send<Down, Up>(t: Topic<Down, Up>, data: Up): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(frame(t, data));
    return true;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000, 'page closed');
    this.ws = null;
    this.setStatus('closed');
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private connect(): void {
    this.timer = null;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      return this.scheduleReconnect();
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setStatus('open');
      for (const listener of this.openListeners) listener();
    };
    ws.onmessage = (ev: MessageEvent) => {
      const env = typeof ev.data === 'string' ? parseEnvelope(ev.data) : null;
      const t = env ? this.topics.get(env.topic) : undefined;
      const parsed = env && t ? t.down.safeParse(env.data) : undefined;
      if (!t || !parsed?.success) return;
      for (const handler of this.subscribers.get(t.name) ?? []) handler(parsed.data);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!this.disposed) this.scheduleReconnect(ev.code === LIVE_CLOSE_CODES.protocol || ev.code === LIVE_CLOSE_CODES.tooMany);
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  private scheduleReconnect(slow = false): void {
    if (this.disposed) return;
    this.setStatus('connecting');
    const delay = reconnectDelay(this.attempt, slow);
    this.attempt++;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

let shared: LiveChannel | null = null;

/** The page's live channel, opened on first use (to the page's server or the remote one). */
export function liveChannel(): LiveChannel {
  shared ??= new LiveChannel(liveUrl);
  return shared;
}
