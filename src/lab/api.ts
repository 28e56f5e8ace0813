// The lab server's HTTP API, as seen from the slides (same origin, HttpOnly cookie token).
// Every error becomes an ApiError with a French message; nothing here logs to the console.

export interface Session {
  learner: { id: string; name: string; role: string };
  backend: { available: boolean; kind: string | null; reason: string };
}

export interface ConditionResult {
  index: number;
  kind: string;
  ok: boolean;
  message: string;
  observed: string;
  expected: string;
  progress?: string;
  hints: string[];
  elapsedMs: number;
}

export interface CheckReport {
  lab: string;
  exercise: string;
  ok: boolean;
  conditions: ConditionResult[];
  checkedAt: string;
}

export interface ExerciseProgress {
  passedAt?: string;
  attempts: number;
  lastCheckAt?: string;
}

export interface Progress {
  currentLab?: string;
  exercises: Record<string, ExerciseProgress>;
}

export interface StartedLab {
  lab: string;
  nodes: { name: string; role: string }[];
}

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

const BASE = '/api/';

/** What the slides found: a lab server with a backend, one without, or no server at all. */
export type Probe =
  | { kind: 'live'; session: Session }
  | { kind: 'no-backend'; session: Session; reason: string }
  | { kind: 'no-server' };

let probeOnce: Promise<Probe> | undefined;

/**
 * Asks `/api/session` once per page. A static site answers 404 or its HTML page (SPA fallback),
 * a file:// page cannot ask at all: both mean « no server », quietly.
 */
export function probeServer(): Promise<Probe> {
  probeOnce ??= (async (): Promise<Probe> => {
    if (location.protocol !== 'http:' && location.protocol !== 'https:') return { kind: 'no-server' };
    try {
      // `*/*` lets a dev server's SPA fallback answer its HTML (quietly) instead of a 404.
      const res = await fetch(`${BASE}session`, { headers: { Accept: 'application/json, */*;q=0.1' }, credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok || !/json/i.test(res.headers.get('Content-Type') ?? '')) return { kind: 'no-server' };
      const session = (await res.json()) as Session;
      if (!session?.backend || typeof session.backend.available !== 'boolean') return { kind: 'no-server' };
      if (!session.backend.available) return { kind: 'no-backend', session, reason: session.backend.reason };
      return { kind: 'live', session };
    } catch {
      return { kind: 'no-server' };
    }
  })();
  return probeOnce;
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${BASE}${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('le serveur de TP ne répond pas', 0);
  }
  if (!res.ok) throw new ApiError(await errorMessage(res), res.status);
  return (await res.json()) as T;
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const data = (await res.json()) as { error?: string };
    if (data?.error) return data.error;
  } catch {
    /* not JSON */
  }
  return `erreur ${res.status}`;
}

export const api = {
  start: (lab: string) => request<StartedLab>('POST', `labs/${encodeURIComponent(lab)}/start`, {}),
  reset: (lab: string) => request<StartedLab>('POST', `labs/${encodeURIComponent(lab)}/reset`, {}),
  solve: (lab: string, exercise: string) => request<{ typed: boolean }>('POST', `labs/${encodeURIComponent(lab)}/solve`, { exercise }),
  type: (node: string, text: string) => request<{ ok: boolean }>('POST', 'terminals/type', { node, tab: '1', text }),
  power: (node: string, action: 'stop' | 'start') => request<unknown>('POST', `cluster/nodes/${encodeURIComponent(node)}/${action}`, {}),
  progress: () => request<Progress>('GET', 'progress'),

  /**
   * Streams a check: `onProgress` for every line `{progress}` while Swarm converges, resolves
   * with the final report.
   */
  async check(lab: string, exercise: string, onProgress: (c: ConditionResult[]) => void, signal?: AbortSignal): Promise<CheckReport> {
    let res: Response;
    try {
      res = await fetch(`${BASE}labs/${encodeURIComponent(lab)}/check`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/x-ndjson', 'Content-Type': 'application/json' },
        body: JSON.stringify({ exercise }),
        signal,
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError('le serveur de TP ne répond pas', 0);
    }
    if (!res.ok || !res.body) throw new ApiError(await errorMessage(res), res.status);
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

/** WebSocket URL of a node's terminal on this origin. */
export function terminalUrl(node: string, tab: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${BASE}terminal/${encodeURIComponent(node)}/${encodeURIComponent(tab)}`;
}
