// The lab server's HTTP API, as seen from the slides: the server that serves the page (same
// origin, HttpOnly cookie token), or a learner's own server that the static site was pointed at
// (another origin: `Authorization: Bearer <token>` on HTTP, `?token=` on the WebSocket URL; the
// server allows the site's origin with `--allow-origin`). Every error becomes an ApiError with a
// French message; nothing here logs to the console.

export interface Session {
  learner: { id: string; name: string; role: string };
  backend: { available: boolean; kind: string | null; reason: string };
}

// The server's own types (type-only imports: nothing of the server enters the browser bundle).
import type { ConditionResult } from '../../server/checker';
import type { LearnerState as Progress } from '../../server/labs/progress';
import type { CheckReport } from '../../server/labs/runner';

import type { NodeAction } from '../shared/lab-contract';

export type { CheckReport, ConditionResult, Progress };
export type { ExerciseProgress } from '../../server/labs/progress';

export interface StartedLab {
  lab: string;
  nodes: { name: string; role: string }[];
  /** A French notice for the learner (their cluster was rebuilt after a long absence). */
  notice?: string;
}

/** The room is full (503): the learner's place in line and when to ask again. */
export interface QueuePlace {
  place: number;
  waiting: number;
  retryAfter: number;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly queue?: QueuePlace,
  ) {
    super(message);
  }
}

/** A lab server on another origin: its base URL (`http://127.0.0.1:4173/`) and a learner token. */
export interface RemoteServer {
  base: string;
  token: string;
}

/** The server the API talks to: null for the page's own origin. */
let remote: RemoteServer | null = null;

/** Talk to `server` (another origin, bearer token) from now on, or to the page's origin (null). */
export function useServer(server: RemoteServer | null): void {
  remote = server;
}

export function currentServer(): RemoteServer | null {
  return remote;
}

/**
 * URL of an API path. Relative to the page's base (`api/…`), so that a site served under a
 * sub-path (GitHub Pages: /docker-en-cluster/) asks its own `api/session` file; the lab server
 * serves the deck at `/`, where this is `/api/…`.
 */
function apiUrl(path: string, server: RemoteServer | null = remote): string {
  return new URL(`api/${path}`, server ? server.base : document.baseURI).href;
}

function init(server: RemoteServer | null, headers: Record<string, string>, rest: RequestInit = {}): RequestInit {
  // Cookies are never sent across sites: another origin gets the bearer token instead.
  return server
    ? { ...rest, mode: 'cors', credentials: 'omit', headers: { ...headers, Authorization: `Bearer ${server.token}` } }
    : { ...rest, credentials: 'same-origin', headers };
}

/**
 * Parses the address `npm start` prints (`http://127.0.0.1:4173/?token=…`). Returns the server
 * or a French explanation of what is wrong with the text.
 */
export function parseServerAddress(text: string): RemoteServer | string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'ce n’est pas une adresse (elle commence par http://)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'l’adresse doit commencer par http:// ou https://';
  const token = url.searchParams.get('token');
  if (!token) return 'il manque le jeton : copiez l’adresse complète, avec ?token=…';
  return { base: `${url.origin}/`, token };
}

/** What the slides found: a lab server with a backend, one without, or no server at all. */
export type Probe =
  | { kind: 'live'; session: Session; server: RemoteServer | null }
  | { kind: 'no-backend'; session: Session; reason: string; server: RemoteServer | null }
  | { kind: 'no-server'; remoteError?: string };

let probeOnce: Promise<Probe> | undefined;

/**
 * Asks one server's `api/session`. A static site answers its `api/session` file
 * (`{"static":true}`, emitted by the build), another host a 404 or its HTML page (SPA
 * fallback), a file:// page cannot ask at all: all mean « no server », quietly.
 */
export async function probeOne(server: RemoteServer | null): Promise<Probe> {
  if (!server && location.protocol !== 'http:' && location.protocol !== 'https:') return { kind: 'no-server' };
  let res: Response;
  try {
    // `*/*` lets a dev server's SPA fallback answer its HTML (quietly) instead of a 404.
    res = await fetch(apiUrl('session', server), init(server, { Accept: 'application/json, */*;q=0.1' }, { cache: 'no-store' }));
  } catch {
    return { kind: 'no-server', remoteError: server ? 'pas de réponse' : undefined };
  }
  if (server && res.status === 401) return { kind: 'no-server', remoteError: 'jeton refusé (copiez l’adresse que le serveur affiche maintenant)' };
  if (!res.ok) return { kind: 'no-server', remoteError: server ? `erreur ${res.status}` : undefined };
  let session: Session | undefined;
  try {
    session = JSON.parse(await res.text()) as Session;
  } catch {
    session = undefined;
  }
  if (!session?.backend || typeof session.backend.available !== 'boolean') {
    return { kind: 'no-server', remoteError: server ? 'ce n’est pas un serveur de TP' : undefined };
  }
  if (!session.backend.available) return { kind: 'no-backend', session, reason: session.backend.reason, server };
  return { kind: 'live', session, server };
}

/**
 * Once per page: the page's own server first (the lab server serves the deck), then the
 * learner's remembered server (`remembered`), which the API then uses.
 */
export function probeServer(remembered: RemoteServer | null = null): Promise<Probe> {
  probeOnce ??= (async (): Promise<Probe> => {
    const own = await probeOne(null);
    if (own.kind !== 'no-server' || !remembered) return own;
    const theirs = await probeOne(remembered);
    if (theirs.kind !== 'no-server') useServer(remembered);
    return theirs;
  })();
  return probeOnce;
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(
      apiUrl(path),
      init(remote, body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' }, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('le serveur de TP ne répond pas', 0);
  }
  if (!res.ok) throw await apiError(res);
  return (await res.json()) as T;
}

async function apiError(res: Response): Promise<ApiError> {
  try {
    const data = (await res.json()) as { error?: string; queue?: QueuePlace };
    if (data?.error) return new ApiError(data.error, res.status, res.status === 503 && data.queue ? data.queue : undefined);
  } catch {
    /* not JSON */
  }
  return new ApiError(`erreur ${res.status}`, res.status);
}

export const api = {
  start: (lab: string) => request<StartedLab>('POST', `labs/${encodeURIComponent(lab)}/start`, {}),
  reset: (lab: string) => request<StartedLab>('POST', `labs/${encodeURIComponent(lab)}/reset`, {}),
  solve: (lab: string, exercise: string) => request<{ typed: boolean }>('POST', `labs/${encodeURIComponent(lab)}/solve`, { exercise }),
  type: (node: string, text: string) => request<{ ok: boolean }>('POST', 'terminals/type', { node, tab: '1', text }),
  /** A lab's node action on the learner's own cluster: power (stop, start) or network (isolate, reconnect). */
  nodeAction: (node: string, action: NodeAction) => request<unknown>('POST', `cluster/nodes/${encodeURIComponent(node)}/${action}`, {}),
  progress: () => request<Progress>('GET', 'progress'),
  session: () => request<Session>('GET', 'session'),
  rename: (name: string) => request<{ learner: Session['learner'] }>('POST', 'session/name', { name }),

  /**
   * Streams a check: `onProgress` for every line `{progress}` while Swarm converges, resolves
   * with the final report.
   */
  async check(lab: string, exercise: string, onProgress: (c: ConditionResult[]) => void, signal?: AbortSignal): Promise<CheckReport> {
    let res: Response;
    try {
      res = await fetch(
        apiUrl(`labs/${encodeURIComponent(lab)}/check`),
        init(remote, { Accept: 'application/x-ndjson', 'Content-Type': 'application/json' }, { method: 'POST', body: JSON.stringify({ exercise }), signal }),
      );
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError('le serveur de TP ne répond pas', 0);
    }
    if (!res.ok || !res.body) throw await apiError(res);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let report: CheckReport | undefined;
    const line = (text: string) => {
      if (!text.trim()) return;
      const data = JSON.parse(text) as { progress?: ConditionResult[]; report?: CheckReport; error?: string };
      if (data.progress) onProgress(data.progress);
      if (data.report) report = data.report;
      if (data.error) throw new ApiError(data.error, 500);
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        line(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    }
    line(buffer);
    if (!report) throw new ApiError('vérification interrompue', 0);
    return report;
  },
};

/** WebSocket URL of an API path (the token rides in the URL on another origin). */
function socketUrl(path: string): string {
  const url = new URL(apiUrl(path));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (remote) url.searchParams.set('token', remote.token);
  return url.href;
}

/** WebSocket URL of a node's terminal. */
export function terminalUrl(node: string, tab: string): string {
  return socketUrl(`terminal/${encodeURIComponent(node)}/${encodeURIComponent(tab)}`);
}

/** WebSocket URL of the live channel (src/lab/live-channel.ts). */
export function liveUrl(): string {
  return socketUrl('live');
}
