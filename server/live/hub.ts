// The server side of the live channel (src/shared/live-protocol.ts): one WebSocket per open
// page, already authenticated by the edge (server/app.ts) and bound to its learner. Features
// push state to a learner's pages or to every page (`send`, `broadcast`), receive what a page
// says on the topics they declare (`on`), and learn when a page comes or goes (`onConnect`,
// `onDisconnect`) to send it the current state at once. A slow page is dropped rather than
// buffered without bound (it reconnects and gets the state anew). Never throws out of a ws
// event handler.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { frame, LIVE_CLOSE_CODES, LIVE_MAX_FRAME_BYTES, parseEnvelope, type Topic } from '../../src/shared/live-protocol';
import type { Learner } from '../learners';

export interface LiveHubOptions {
  /** Live sockets one learner may hold at once (pages, tabs). */
  maxSocketsPerLearner?: number;
  /** A page whose unsent data exceeds this is dropped. */
  maxBufferedBytes?: number;
  /** Ping period; a page that missed the previous ping is dropped. */
  heartbeatMs?: number;
  /** Something unexpected went wrong in a feature's handler. */
  error?(err: unknown): void;
}

/** One open page. */
export class LiveClient {
  private static next = 1;
  /** Unique per page for this process. */
  readonly id = LiveClient.next++;
  alive = true;

  constructor(readonly ws: WebSocket, readonly learner: Learner, private readonly maxBuffered: number) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send<Down, Up>(t: Topic<Down, Up>, data: Down): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > this.maxBuffered) return void this.ws.terminate();
    this.ws.send(frame(t, data));
  }
}

type Handler<Up> = (client: LiveClient, data: Up) => void | Promise<void>;

interface Registration {
  topic: Topic<unknown, unknown>;
  instructorOnly: boolean;
  handler: Handler<unknown>;
}

export class LiveHub {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<LiveClient>();
  private readonly handlers = new Map<string, Registration>();
  private readonly connectListeners: ((client: LiveClient) => void)[] = [];
  private readonly disconnectListeners: ((client: LiveClient) => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxSockets: number;
  private readonly maxBuffered: number;

  constructor(private readonly options: LiveHubOptions = {}) {
    this.maxSockets = options.maxSocketsPerLearner ?? 8;
    this.maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: LIVE_MAX_FRAME_BYTES, perMessageDeflate: false });
    this.heartbeat = setInterval(() => this.ping(), options.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  /** Attaches an upgrade the edge has authenticated for `learner`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, learner: Learner): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.guard(() => this.attach(ws, learner)));
  }

  /** Handles what pages send on `t` (which must declare an `up` schema); instructors only if asked. */
  on<Down, Up>(t: Topic<Down, Up>, handler: Handler<Up>, access: { instructorOnly?: boolean } = {}): void {
    if (!t.up) throw new Error(`le sujet ${t.name} ne reçoit rien des pages`);
    if (this.handlers.has(t.name)) throw new Error(`le sujet ${t.name} a déjà un destinataire`);
    this.handlers.set(t.name, { topic: t as Topic<unknown, unknown>, instructorOnly: access.instructorOnly ?? false, handler: handler as Handler<unknown> });
  }

  onConnect(listener: (client: LiveClient) => void): void {
    this.connectListeners.push(listener);
  }

  onDisconnect(listener: (client: LiveClient) => void): void {
    this.disconnectListeners.push(listener);
  }

  /** Every open page of `learnerId`. */
  pagesOf(learnerId: string): LiveClient[] {
    return [...this.clients].filter((c) => c.learner.id === learnerId);
  }

  /** Every open page (optionally only those `filter` keeps). */
  pages(filter: (client: LiveClient) => boolean = () => true): LiveClient[] {
    return [...this.clients].filter(filter);
  }

  /** Sends `data` on `t` to every open page of `learnerId`. */
  send<Down, Up>(learnerId: string, t: Topic<Down, Up>, data: Down): void {
    for (const client of this.pagesOf(learnerId)) client.send(t, data);
  }

  /** Sends `data` on `t` to every open page `filter` keeps. */
  broadcast<Down, Up>(t: Topic<Down, Up>, data: Down, filter: (client: LiveClient) => boolean = () => true): void {
    for (const client of this.pages(filter)) client.send(t, data);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.ws.close(LIVE_CLOSE_CODES.shutdown, 'server shutdown');
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private attach(ws: WebSocket, learner: Learner): void {
    ws.on('error', () => { /* 'close' follows */ });
    if (this.pagesOf(learner.id).length >= this.maxSockets) return void ws.close(LIVE_CLOSE_CODES.tooMany, 'too many live sockets');
    const client = new LiveClient(ws, learner, this.maxBuffered);
    this.clients.add(client);
    ws.on('pong', () => { client.alive = true; });
    ws.on('message', (data, isBinary) => this.guard(() => this.receive(client, isBinary ? null : data.toString())));
    ws.on('close', () => this.guard(() => this.detach(client)));
    for (const listener of this.connectListeners) this.guard(() => listener(client));
  }

  private detach(client: LiveClient): void {
    if (!this.clients.delete(client)) return;
    for (const listener of this.disconnectListeners) this.guard(() => listener(client));
  }

  private receive(client: LiveClient, text: string | null): void {
    const env = text === null ? null : parseEnvelope(text);
    const registration = env ? this.handlers.get(env.topic) : undefined;
    const parsed = registration?.topic.up?.safeParse(env?.data);
    if (!registration || !parsed?.success || (registration.instructorOnly && client.learner.role !== 'instructor')) {
      return void client.ws.close(LIVE_CLOSE_CODES.protocol, 'bad frame');
    }
    const result = registration.handler(client, parsed.data);
    if (result) result.catch((err: unknown) => this.options.error?.(err));
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      try { client.ws.ping(); } catch { /* closing */ }
    }
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.options.error?.(err);
    }
  }
}
