import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import type { ClusterManager } from './clusters';
import { openRoom, QueueFullError, type RoomCapacity } from './capacity';
import { REPO_ROOT, type ServerConfig } from './config';
import { detectBackend, detectOptions, type Backend } from './drivers/detect';
import { DEFAULT_SHAPE, NodeUnavailableError, UnsupportedFaultError, type ClusterShape } from './drivers/types';
import { apiHandlers } from './http/api';
import { cockpitHandlers } from './http/cockpit-api';
import { builtDeck, devDeck, type DeckHandler } from './http/deck';
import { Edge, escapeHtml, HttpError, page, parseTarget, sendError, sendHtml, sendJson, unauthorizedPage } from './http/edge';
import { login, loginPage } from './http/login';
import { RateLimiter } from './http/rate-limit';
import { allowed, matchRoute, matchSocket, MESSAGES } from './http/routes';
import { LabError } from '../src/labs/loader';
import { ProgressStore } from './labs/progress';
import { CommandError, LabRunner } from './labs/runner';
import { LearnerRegistry, RegistryError, secureDir } from './learners';
import { courseLimit } from './quotas';
import { removeServerInfo, takeCliGrant, writeServerInfo } from './server-info';
import { JsonRecord } from './json-record';
import { LiveHub } from './live/hub';
import { RoomCockpit } from './room/cockpit';
import { courseOutline } from './room/course';
import { publicBase } from './room/join';
import type { CourseLab } from '../src/shared/room-protocol';
import { Presenter } from './live/presenter';
import { startLabLive, type LabLive } from './live/lab-live';
import { TerminalGateway } from './terminals';

/** The id (and cluster id) of the person at the machine: the instructor in class mode. */
export const LOCAL_LEARNER = 'local';

export interface LabServer {
  server: Server;
  /** Base URL of the server. */
  url: string;
  /** URL that logs the local user (the instructor) in — printed at start. */
  localUrl: string;
  /** URL that registers a new learner (class mode); changes when the join code is rotated. */
  readonly joinUrl: string;
  backend: Backend;
  registry: LearnerRegistry;
  clusters: ClusterManager | null;
  /** The room's capacity: limit and queue, pre-warmed pool, frozen and reclaimed clusters. */
  room: RoomCapacity | null;
  gateway: TerminalGateway;
  /** The push channel to open pages (cluster maps, automatic checks, follow mode, cockpit). */
  live: LiveHub;
  /** The instructor's view of the room (server/room/cockpit.ts). */
  cockpit: RoomCockpit;
  /** Follow mode: the presenter's position, sent to learners' decks. */
  presenter: Presenter;
  /** Cluster maps and automatic checks of open lab slides (null without a lab backend). */
  labLive: LabLive | null;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Progress lines (the deck's build); default: stdout. */
  log?: (line: string) => void;
}

/**
 * One process serves the deck and the lab API on the same port. Every request goes through
 * the edge: target parsed, route matched in the table of server/http/routes.ts, credential
 * resolved, Origin and role checked, rate limits taken; handlers receive a Learner.
 */
export async function startLabServer(config: ServerConfig, options: StartOptions = {}): Promise<LabServer> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  await secureDir(config.dataDir);
  const registry = await LearnerRegistry.open(config.dataDir);
  const edge = new Edge(registry, {
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    grant: (secret) => (takeCliGrant(config.dataDir, secret) ? registry.get(LOCAL_LEARNER) : undefined),
  });
  const backend = await detectBackend(detectOptions(config, !config.room));
  // Adopts the clusters a previous run left; learners reach theirs through its mapping.
  const room = backend.driver ? await openRoom(config, backend.driver, (id) => registry.get(id)?.role === 'instructor', log) : null;
  const clusters = room?.clusters ?? null;
  const labsDir = path.join(REPO_ROOT, 'labs');

  // The shape each learner last asked for (a lab's, or the API's), for clusters made on demand.
  const shapes = new Map<string, ClusterShape>();
  let labLive: LabLive | null = null;
  const gateway = new TerminalGateway({
    graceMs: config.graceMs,
    onCommandDone: (key) => labLive?.commandDone(key.learner),
    async resolveShell(key) {
      if (!clusters || !backend.driver) throw new NodeUnavailableError(key.node, `travaux pratiques indisponibles : ${backend.reason}`);
      try {
        await clusters.ensure(key.learner, shapes.get(key.learner) ?? DEFAULT_SHAPE);
      } catch (error) {
        if (error instanceof QueueFullError) throw new NodeUnavailableError(key.node, error.message);
        throw error;
      }
      return clusters.driver.shell(key.learner, key.node);
    },
    // A shell that ended asks whether its node is still there, never for a new cluster: a
    // cluster removed under its shells (reclaim, `npm run lab -- down`) stays removed.
    async probeShell(key) {
      if (!clusters) throw new NodeUnavailableError(key.node, `travaux pratiques indisponibles : ${backend.reason}`);
      return clusters.driver.shell(key.learner, key.node);
    },
    // A keystroke thaws a frozen cluster (the paused shell reads it once resumed).
    onInput: (key) => room?.activity(key.learner),
  });

  const live = new LiveHub({ error: (err) => console.error(err) });
  // The presenter's position survives a restart (learners reconnect to the same slide).
  const presenter = new Presenter(live, new JsonRecord(path.join(config.dataDir, 'presenter.json')));
  const progress = new ProgressStore(path.join(config.dataDir, 'progress'));
  // A recreated cluster ends the learner's shells: close them rather than leave dead ones.
  const runner = clusters ? new LabRunner(clusters, labsDir, progress, (cluster) => gateway.closeLearner(cluster)) : null;
  let course: CourseLab[] | undefined;
  const courseOf = () => (course ??= courseOutline(path.join(REPO_ROOT, 'slides', 'index.md'), labsDir));
  const cockpit = new RoomCockpit({ live, registry, progress, gateway, clusters, course: courseOf, frozen: (id) => room?.isFrozen(id) ?? false });
  room?.start({
    connected: (id) => gateway.list(id).some((t) => t.clients > 0),
    async reclaimed(id) {
      gateway.closeLearner(id);
      // Progress stays; the next start rebuilds the lab's setup on a fresh cluster.
      await progress.update(id, (s) => {
        s.currentLab = undefined;
      });
    },
  });
  if (runner && clusters) labLive = startLabLive(live, clusters.driver, runner, progress, { asleep: (cluster) => room?.isFrozen(cluster) ?? false });
  const joins = new RateLimiter({ capacity: 10, perSecond: 1 / 6 });
  const labCalls = new RateLimiter({ capacity: 12, perSecond: 1 / 3 });

  const server = createHttpServer({
    headersTimeout: config.timeouts.headersMs,
    requestTimeout: config.timeouts.requestMs,
    keepAliveTimeout: config.timeouts.keepAliveMs,
    connectionsCheckingInterval: Math.min(1000, config.timeouts.headersMs),
  });
  server.timeout = config.timeouts.idleMs;
  const deck: DeckHandler = config.mode === 'static' ? await builtDeck(config.deckDir, log) : await devDeck(server, config.dataDir);

  let base = '';
  const joinUrl = (code: string) => `${publicBase(base)}/?join=${code}`;
  const handlers = {
    ...apiHandlers({
    registry,
    backend,
    clusters,
    runner,
    room,
    shapes,
    gateway,
    progress,
    labsDir,
    learnerLimit: courseLimit(labsDir),
    joinUrl,
    presenter,
    }),
    ...cockpitHandlers({ registry, cockpit, runner, clusters, gateway, course: courseOf, joinUrl: () => joinUrl(registry.joinCode), page: (req, res) => deck.cockpit(req, res), unavailable: backend.reason }),
  };
  const loginDeps = { edge, registry, joins };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseTarget(req.url);
    if (!target) throw new HttpError(400, 'adresse de requête invalide');
    const { pathname, searchParams } = target;
    const method = req.method ?? 'GET';
    // The course served elsewhere (GitHub Pages) may use this server: only origins given with
    // --allow-origin, with a bearer token (cookies are not sent across sites).
    if (isApiPath(pathname) && edge.corsHeaders(req, res) && method === 'OPTIONS') {
      res.writeHead(204);
      return void res.end();
    }
    const route = matchRoute(method, pathname, searchParams);
    if (!route) throw new HttpError(isApiPath(pathname) ? 404 : 405, isApiPath(pathname) ? MESSAGES.notFound(`${method} ${pathname}`) : 'méthode non prise en charge');
    const credential = route.role === 'anyone' ? undefined : edge.credential(req);
    const origin = edge.checkOrigin(req, credential?.via ?? 'none', method === 'GET' || method === 'HEAD');
    if (route.role !== 'anyone' && !credential) {
      if (!isApiPath(pathname)) return sendHtml(res, 401, unauthorizedPage());
      throw new HttpError(401, MESSAGES.unauthenticated);
    }
    if (origin !== 'ok') throw new HttpError(403, origin === 'bad' ? MESSAGES.badOrigin : MESSAGES.missingOrigin);
    if (!allowed(route.role, credential?.learner.role)) throw new HttpError(403, MESSAGES.forbidden);
    if (route.limit === 'lab' && credential) {
      const wait = labCalls.take(credential.learner.id);
      if (wait > 0) return sendError(res, 429, MESSAGES.rateLimited(wait), { 'Retry-After': String(wait) });
    }
    // Any API call of a learner thaws their frozen cluster before it proceeds.
    if (room && credential && isApiPath(pathname)) await room.touch(credential.learner.id);
    switch (route.name) {
      case 'loginPage':
        return loginPage(loginDeps, req, res, searchParams, pathname);
      case 'login':
        return login(loginDeps, req, res);
      case 'deck':
        // Vite and sirv see the normalised target the edge checked, nothing else.
        req.url = `${pathname}${target.search}`;
        return deck(req, res, decodeURIComponent(pathname));
      default:
        return handlers[route.name]({ req, res, learner: credential!.learner, params: route.params });
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      const status = statusOf(error);
      if (status === 500) console.error(error);
      const message = status === 500 ? 'erreur interne du serveur' : (error as Error).message;
      const wantsHtml = !isApiPath(parseTarget(req.url)?.pathname ?? '/api/');
      if (status === 429) res.setHeader('Retry-After', '10');
      if (error instanceof QueueFullError && !wantsHtml) {
        res.setHeader('Retry-After', String(error.retryAfter));
        return sendJson(res, 503, error.body());
      }
      if (wantsHtml) sendHtml(res, status, page('Requête refusée', `<p>${escapeHtml(message)}</p>`));
      else sendError(res, status, message);
    });
  });

  // Before Vite's own listener (dev mode): whatever this one refuses, Vite never sees.
  server.prependListener('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const refuse = (status: string) => {
      // Vite's listener runs after this one: give it nothing it would handle or could choke on.
      req.url = '/';
      delete req.headers['sec-websocket-protocol'];
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    try {
      const target = parseTarget(req.url);
      if (!target) return refuse('400 Bad Request');
      const match = matchSocket(target.pathname);
      if (!match || (match.name === 'hmr' && !deck.hotReload)) return refuse('404 Not Found');
      // Vite's hot-reload socket carries Vite's own `token` parameter: only the cookie counts there.
      const credential = match.name === 'hmr' ? edge.credential(req, { cookieOnly: true }) : edge.credential(req, { query: target.searchParams.get('token') });
      if (!credential) return refuse('401 Unauthorized');
      if (edge.checkOrigin(req, credential.via, false) !== 'ok') return refuse('403 Forbidden');
      if (!allowed(match.role, credential.learner.role)) return refuse('403 Forbidden');
      if (match.name === 'hmr') {
        const protocol = req.headers['sec-websocket-protocol'];
        if (protocol !== 'vite-hmr' && protocol !== 'vite-ping') return refuse('400 Bad Request');
        return; // Vite's listener answers.
      }
      if (match.name === 'live') return live.handleUpgrade(req, socket, head, credential.learner);
      const { node, tab } = match.params;
      if (!node || !tab) return refuse('404 Not Found');
      if (match.name === 'roomTerminal') {
        // The instructor watches a learner's terminal: a viewer, whose input never reaches the shell.
        const watched = registry.get(match.params.learner ?? '');
        if (!watched) return refuse('404 Not Found');
        return gateway.handleUpgrade(req, socket, head, { learner: watched.id, node, tab }, { mode: 'viewer' });
      }
      // A terminal connection thaws the learner's cluster (its replay needs nothing of it).
      room?.activity(credential.learner.id);
      gateway.handleUpgrade(req, socket, head, { learner: credential.learner.id, node, tab });
    } catch (error) {
      console.error(error);
      refuse('400 Bad Request');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  base = url;
  const localToken = await registry.fixed(LOCAL_LEARNER, 'instructor', 'Formateur');
  await writeServerInfo(config.dataDir, { url, pid: process.pid });

  return {
    server,
    url,
    localUrl: `${url}/?token=${localToken}`,
    get joinUrl() {
      return joinUrl(registry.joinCode);
    },
    backend,
    registry,
    clusters,
    room,
    gateway,
    live,
    cockpit,
    presenter,
    labLive,
    async close() {
      room?.stop();
      await removeServerInfo(config.dataDir);
      labLive?.close();
      cockpit.close();
      await live.close();
      await gateway.close();
      await deck.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/');
}

/** The HTTP status of an error thrown below the edge (500 only for a real bug). */
function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof LabError || error instanceof CommandError || error instanceof RegistryError) return 400;
  if (error instanceof NodeUnavailableError) return 409;
  if (error instanceof QueueFullError) return 503;
  if (error instanceof UnsupportedFaultError) return 501;
  return 500;
}
