// Helpers for the live hub's tests and the features built on it: a real HTTP server whose every
// upgrade is bound to the person its URL names (`/alice`), and real WebSocket pages that record
// what they receive. Not used in production.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { Learner } from '../learners';
import { LiveHub, type LiveHubOptions } from './hub';

/** Two learners and an instructor. */
export const PEOPLE: Record<string, Learner> = {
  alice: { id: 'alice', name: 'Alice', role: 'learner', created: '' },
  bob: { id: 'bob', name: 'Bob', role: 'learner', created: '' },
  teacher: { id: 'teacher', name: 'Formateur', role: 'instructor', created: '' },
};

export interface TestPage {
  ws: WebSocket;
  /** Every envelope received, parsed. */
  received: { topic: string; data: unknown }[];
  /** Resolves with the close code. */
  closed: Promise<number>;
}

export interface LiveTestServer {
  hub: LiveHub;
  /** Opens a page as `who` (a key of PEOPLE). */
  open(who: string): Promise<TestPage>;
  close(): Promise<void>;
}

export async function liveTestServer(options: LiveHubOptions = {}): Promise<LiveTestServer> {
  const hub = new LiveHub(options);
  const server: Server = createServer();
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head, PEOPLE[req.url!.slice(1)]!));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const sockets: WebSocket[] = [];
  return {
    hub,
    async open(who) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/${who}`);
      sockets.push(ws);
      const received: TestPage['received'] = [];
      ws.on('message', (data) => received.push(JSON.parse(data.toString()) as TestPage['received'][number]));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      return { ws, received, closed };
    },
    async close() {
      for (const ws of sockets.splice(0)) ws.terminate();
      await hub.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves once `check` holds (the hub's work is asynchronous by nature). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
