// Who may call what: every HTTP route and WebSocket path of the server, in one table. The edge
// (server/app.ts) matches a request here first and enforces `role` in one place; a handler
// exists for each name (server/http/api.ts), so a route cannot be added without its role.


import { NODE_NAME } from '../../src/shared/nodes';
/** `anyone`: no token needed; `learner`: any valid token; `instructor`: the instructor's token. */
export type Role = 'anyone' | 'learner' | 'instructor';

/** Path parameters and the only values they may take (anything else: 404, before any handler). */
export const PARAMS = {
  node: NODE_NAME,
  tab: /^[1-9]$/,
  lab: /^[a-z0-9][a-z0-9-]{0,63}$/,
  action: /^(start|reset|check|solve)$/,
  power: /^(stop|start)$/,
  network: /^(isolate|reconnect)$/,
  learner: /^[a-z0-9][a-z0-9-]{0,63}$/,
} as const;
export type ParamName = keyof typeof PARAMS;

export interface RouteSpec {
  name: string;
  method: 'GET' | 'POST';
  /** Segments; `:name` is a parameter of PARAMS. */
  path: string;
  role: Role;
  /** Rate limit applied per learner (`lab`) or per address (`join`). */
  limit?: 'lab' | 'join';
}

export const ROUTES = [
  { name: 'session', method: 'GET', path: '/api/session', role: 'learner' },
  { name: 'cluster', method: 'GET', path: '/api/cluster', role: 'learner' },
  { name: 'clusterUp', method: 'POST', path: '/api/cluster/up', role: 'learner' },
  { name: 'clusterReset', method: 'POST', path: '/api/cluster/reset', role: 'learner', limit: 'lab' },
  { name: 'clusterDown', method: 'POST', path: '/api/cluster/down', role: 'learner' },
  { name: 'power', method: 'POST', path: '/api/cluster/nodes/:node/:power', role: 'learner' },
  { name: 'nodeNetwork', method: 'POST', path: '/api/cluster/nodes/:node/:network', role: 'learner' },
  { name: 'terminals', method: 'GET', path: '/api/terminals', role: 'learner' },
  { name: 'type', method: 'POST', path: '/api/terminals/type', role: 'learner' },
  { name: 'progress', method: 'GET', path: '/api/progress', role: 'learner' },
  { name: 'lab', method: 'POST', path: '/api/labs/:lab/:action', role: 'learner', limit: 'lab' },
  { name: 'room', method: 'GET', path: '/api/room', role: 'instructor' },
  { name: 'roomJoinCode', method: 'POST', path: '/api/room/join-code', role: 'instructor' },
  { name: 'roomRevoke', method: 'POST', path: '/api/room/learners/:learner/revoke', role: 'instructor' },
  // Fault injection and follow mode (server/http/faults-api.ts).
  { name: 'learnerFaults', method: 'POST', path: '/api/room/learners/:learner/faults', role: 'instructor' },
  { name: 'roomFaults', method: 'POST', path: '/api/room/faults', role: 'instructor' },
  { name: 'roomFollow', method: 'POST', path: '/api/room/follow', role: 'instructor' },
  { name: 'login', method: 'POST', path: '/login', role: 'anyone', limit: 'join' },
  // The room (server/http/cockpit-api.ts): the instructor's cockpit page and its actions, a learner's own name.
  { name: 'sessionName', method: 'POST', path: '/api/session/name', role: 'learner' },
  { name: 'cockpit', method: 'GET', path: '/cockpit', role: 'instructor' },
  { name: 'roomJoin', method: 'GET', path: '/api/room/join', role: 'instructor' },
  { name: 'roomJoinQr', method: 'GET', path: '/api/room/join.svg', role: 'instructor' },
  { name: 'roomResults', method: 'GET', path: '/api/room/results.csv', role: 'instructor' },
  { name: 'roomTerminals', method: 'GET', path: '/api/room/learners/:learner/terminals', role: 'instructor' },
  { name: 'roomReset', method: 'POST', path: '/api/room/learners/:learner/reset', role: 'instructor', limit: 'lab' },
  { name: 'roomHint', method: 'POST', path: '/api/room/learners/:learner/hint', role: 'instructor' },
  { name: 'roomSolve', method: 'POST', path: '/api/room/learners/:learner/solve', role: 'instructor' },
] as const satisfies readonly RouteSpec[];

export type RouteName = (typeof ROUTES)[number]['name'];

/** WebSocket paths. `live` is the push channel (server/live/hub.ts); `hmr` is Vite's hot-reload socket (loopback dev mode only). */
export const SOCKETS = [
  { name: 'terminal', path: '/api/terminal/:node/:tab', role: 'learner' },
  { name: 'live', path: '/api/live', role: 'learner' },
  /** The instructor's read-only view of a learner's terminal (gateway viewer mode). */
  { name: 'roomTerminal', path: '/api/room/learners/:learner/terminal/:node/:tab', role: 'instructor' },
  { name: 'hmr', path: '/', role: 'learner' },
] as const satisfies readonly { name: string; path: string; role: Role }[];

export type SocketName = (typeof SOCKETS)[number]['name'];

/**
 * Pages that are not API routes: the deck (any other GET/HEAD, learner), and the login
 * confirmation (a GET carrying `?join=` or `?token=`, anyone).
 */
export const PAGES = {
  deck: { role: 'learner' },
  loginPage: { role: 'anyone' },
} as const satisfies Record<string, { role: Role }>;

export type Match<N extends string> = { name: N; role: Role; params: Partial<Record<ParamName, string>>; limit?: 'lab' | 'join' };

function matchPath(pattern: string, pathname: string): Partial<Record<ParamName, string>> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Partial<Record<ParamName, string>> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      const name = w.slice(1) as ParamName;
      if (!PARAMS[name].test(g)) return undefined;
      params[name] = g;
    } else if (w !== g) return undefined;
  }
  return params;
}

/** The route of an HTTP request; `undefined` for an unknown API path or method. */
export function matchRoute(method: string, pathname: string, search: URLSearchParams): Match<RouteName | keyof typeof PAGES> | undefined {
  const api = pathname === '/api' || pathname.startsWith('/api/');
  // A link with a token or join code is a login first, whatever page it leads to (/cockpit?token=…).
  if (method === 'GET' && !api && (search.has('join') || search.has('token'))) return { name: 'loginPage', role: PAGES.loginPage.role, params: {}, limit: 'join' };
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const params = matchPath(route.path, pathname);
    if (params) return { name: route.name, role: route.role, params, limit: 'limit' in route ? route.limit : undefined };
  }
  if (api || (method !== 'GET' && method !== 'HEAD')) return undefined;
  return { name: 'deck', role: PAGES.deck.role, params: {} };
}

/** The WebSocket path of an upgrade; `undefined` when none matches. */
export function matchSocket(pathname: string): Match<SocketName> | undefined {
  for (const socket of SOCKETS) {
    const params = matchPath(socket.path, pathname);
    if (params) return { name: socket.name, role: socket.role, params };
  }
  return undefined;
}

/** Whether a caller of `role` may use a route declared for `required`. */
export function allowed(required: Role, role: 'learner' | 'instructor' | undefined): boolean {
  if (required === 'anyone') return true;
  if (!role) return false;
  return required === 'learner' || role === 'instructor';
}

export const MESSAGES = {
  unauthenticated: 'jeton d’accès manquant ou invalide : ouvrez l’adresse donnée par le formateur',
  forbidden: 'réservé au formateur : votre jeton d’apprenant ne permet pas cette action',
  badOrigin: 'origine refusée : cette requête ne vient pas de la page du cours',
  missingOrigin: 'origine manquante : une requête authentifiée par cookie doit venir de la page du cours',
  notFound: (what: string) => `introuvable : ${what}`,
  rateLimited: (seconds: number) => `trop de demandes : réessayez dans ${seconds} s`,
};
