// The cockpit's calls to the lab server (same origin, the instructor's cookie). Errors become
// ApiError with the server's French message.
import { ApiError } from '../lab/api';

export { ApiError };

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('le serveur de TP ne répond pas', 0);
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(data.error ?? `erreur ${res.status}`, res.status);
  return data as T;
}

const learnerPath = (id: string) => `/api/room/learners/${encodeURIComponent(id)}`;

export interface TerminalList {
  nodes: { name: string; role: string }[];
  terminals: { node: string; tab: string; alive: boolean; clients: number }[];
}

export const roomApi = {
  join: () => call<{ joinUrl: string }>('GET', '/api/room/join'),
  terminals: (id: string) => call<TerminalList>('GET', `${learnerPath(id)}/terminals`),
  reset: (id: string) => call<{ lab: string }>('POST', `${learnerPath(id)}/reset`, {}),
  hint: (id: string, text: string) => call<{ pages: number }>('POST', `${learnerPath(id)}/hint`, { text }),
  solve: (id: string) => call<{ lab: string; exercise: string }>('POST', `${learnerPath(id)}/solve`, {}),
};

export const JOIN_QR = '/api/room/join.svg';
export const RESULTS_CSV = '/api/room/results.csv';

/** The read-only socket of a learner's terminal (server: gateway viewer mode). */
export function viewerUrl(learner: string, node: string, tab = '1'): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${learnerPath(learner)}/terminal/${encodeURIComponent(node)}/${encodeURIComponent(tab)}`;
}
