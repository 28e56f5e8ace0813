import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { ClusterManager } from './clusters';
import { isLoopback, REPO_ROOT, type ServerConfig } from './config';
import { detectBackend, detectOptions, type Backend } from './drivers/detect';
import { DEFAULT_SHAPE, NodeUnavailableError, type ClusterShape } from './drivers/types';
import {
  Edge,
  HttpError,
  readJson,
  sendError,
  sendJson,
  setTokenCookie,
  unauthorizedPage,
} from './http/edge';
import { serveStatic } from './http/static';
import { LearnerRegistry, type Learner } from './learners';
import { LabError } from '../src/labs/loader';
import { ProgressStore } from './labs/progress';
import { CommandError, LabRunner, shapeOf } from './labs/runner';
import { removeServerInfo, writeServerInfo } from './server-info';
import { TerminalGateway } from './terminals';

/** The id (and cluster id) of the person at the machine when the server listens on loopback. */
export const LOCAL_LEARNER = 'local';
const NODE_NAME = /^(manager|worker)[1-9]$/;
const TAB = /^[1-9]$/;

export interface LabServer {
  server: Server;
  /** Base URL of the server. */
  url: string;
  /** URL that logs the local user in (loopback servers) — printed at start. */
  localUrl: string;
  /** URL that registers a new learner (class mode). */
  joinUrl: string;
  backend: Backend;
  registry: LearnerRegistry;
  clusters: ClusterManager | null;
  gateway: TerminalGateway;
  close(): Promise<void>;
}

/**
 * One process serves the deck and the lab API on the same port. The edge resolves the learner
 * from the token (cookie, bearer header or `token` parameter) and checks Origin; nothing below
 * it reads headers.
 */
export async function startLabServer(config: ServerConfig): Promise<LabServer> {
  const registry = await LearnerRegistry.open(config.dataDir);
  const edge = new Edge(registry, config.allowedOrigins);
  const backend = await detectBackend(detectOptions(config, isLoopback(config.host)));
  const clusters = backend.driver ? new ClusterManager(backend.driver) : null;
  if (clusters) await clusters.adopt();
  const shapes = new Map<string, ClusterShape>();
  const currentShape = (learner: string) => shapes.get(learner) ?? DEFAULT_SHAPE;

  const gateway = new TerminalGateway({
    graceMs: config.graceMs,
    async resolveShell(key) {
      if (!clusters || !backend.driver) throw new NodeUnavailableError(key.node, `travaux pratiques indisponibles : ${backend.reason}`);
      await clusters.ensure(key.learner, currentShape(key.learner));
      return backend.driver.shell(key.learner, key.node);
    },
  });

  const progress = new ProgressStore(path.join(config.dataDir, 'progress'));
  // A recreated cluster ends the learner's shells: close them rather than leave dead ones.
  const runner = clusters ? new LabRunner(clusters, path.join(REPO_ROOT, 'labs'), progress, (cluster) => gateway.closeLearner(cluster)) : null;
  const typist = (cluster: string, node: string, text: string) => gateway.type({ learner: cluster, node, tab: '1' }, text);

  const server = createHttpServer();
  const deck = await deckHandler(config, server);

  async function api(req: IncomingMessage, res: ServerResponse, learner: Learner, pathname: string): Promise<void> {
    const route = `${req.method} ${pathname}`;
    const needCluster = () => {
      if (!clusters) throw new HttpError(503, `travaux pratiques indisponibles : ${backend.reason}`);
      return clusters;
    };
    switch (route) {
      case 'GET /api/session':
        return sendJson(res, 200, {
          learner: { id: learner.id, name: learner.name, role: learner.role },
          backend: { available: Boolean(backend.driver), kind: backend.driver?.kind ?? null, reason: backend.reason },
        });
      case 'GET /api/cluster':
        return sendJson(res, 200, await needCluster().status(learner.id));
      case 'POST /api/cluster/up':
      case 'POST /api/cluster/reset': {
        const body = await readJson(req);
        const shape = parseShape(body.shape) ?? currentShape(learner.id);
        shapes.set(learner.id, shape);
        if (route.endsWith('reset')) {
          gateway.closeLearner(learner.id);
          await needCluster().reset(learner.id, shape);
        } else await needCluster().ensure(learner.id, shape);
        return sendJson(res, 200, await needCluster().status(learner.id));
      }
      case 'POST /api/cluster/down':
        gateway.closeLearner(learner.id);
        await needCluster().down(learner.id);
        return sendJson(res, 200, { ok: true });
      case 'GET /api/terminals':
        return sendJson(res, 200, gateway.list(learner.id));
      case 'POST /api/terminals/type': {
        const body = await readJson(req);
        const node = String(body.node ?? '');
        const tab = String(body.tab ?? '1');
        if (!NODE_NAME.test(node) || !TAB.test(tab) || typeof body.text !== 'string') throw new HttpError(400, 'nœud, onglet ou texte invalide');
        await gateway.type({ learner: learner.id, node, tab }, body.text);
        return sendJson(res, 200, { ok: true });
      }
      case 'GET /api/progress':
        return sendJson(res, 200, await progress.get(learner.id));
    }
    const power = /^POST \/api\/cluster\/nodes\/([a-z0-9]+)\/(stop|start)$/.exec(route);
    if (power) {
      const [, node, state] = power;
      if (!NODE_NAME.test(node!)) throw new HttpError(400, 'nœud invalide');
      if (!backend.driver) throw new HttpError(503, `travaux pratiques indisponibles : ${backend.reason}`);
      await backend.driver.power(learner.id, node!, state === 'stop' ? 'off' : 'on');
      return sendJson(res, 200, await needCluster().status(learner.id));
    }
    const labRoute = /^(POST) \/api\/labs\/([a-z0-9-]+)\/(start|reset|check|solve)$/.exec(route);
    if (!labRoute) throw new HttpError(404, `pas de route ${route}`);
    const [, , labId, action] = labRoute;
    const labs = (() => {
      if (!runner) throw new HttpError(503, `travaux pratiques indisponibles : ${backend.reason}`);
      return runner;
    })();
    const body = await readJson(req);
    const exercise = typeof body.exercise === 'string' ? body.exercise : undefined;
    switch (action) {
      case 'start':
      case 'reset': {
        const lab = action === 'start' ? await labs.start(learner.id, labId!) : await labs.reset(learner.id, labId!);
        shapes.set(learner.id, shapeOf(lab));
        return sendJson(res, 200, { lab: lab.id, nodes: await backend.driver!.nodes(learner.id) });
      }
      case 'solve': {
        await labs.start(learner.id, labId!);
        const done = await labs.solve(learner.id, labId!, exercise, typist);
        return sendJson(res, 200, { lab: labId, exercise: done.id, typed: true });
      }
      default: {
        // Streams progress (one JSON line per poll) while Swarm converges, then the report.
        const abort = new AbortController();
        res.once('close', () => abort.abort());
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' });
        const report = await labs.check(learner.id, labId!, exercise, {
          wait: body.wait !== false,
          signal: abort.signal,
          onProgress: (conditions) => res.write(`${JSON.stringify({ progress: conditions })}\n`),
        });
        res.end(`${JSON.stringify({ report })}\n`);
        return;
      }
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const isApi = url.pathname.startsWith('/api/');
      // The course served elsewhere (GitHub Pages) may use this server: only origins given with
      // --allow-origin, with a bearer token (cookies are not sent across sites).
      if (isApi && edge.corsHeaders(req, res) && req.method === 'OPTIONS') {
        res.writeHead(204);
        return res.end();
      }
      // A link with ?join=CODE registers a new learner; one with ?token=… logs a browser in.
      if (!isApi && req.method === 'GET' && (url.searchParams.has('join') || url.searchParams.has('token'))) {
        let token = url.searchParams.get('token') ?? undefined;
        const join = url.searchParams.get('join');
        if (join !== null) {
          if (!registry.checkJoinCode(join)) return sendHtml(res, 403, unauthorizedPage());
          token = (await registry.register(url.searchParams.get('name') ?? undefined)).token;
        }
        if (!registry.lookup(token)) return sendHtml(res, 401, unauthorizedPage());
        setTokenCookie(res, token!);
        url.searchParams.delete('join');
        url.searchParams.delete('token');
        url.searchParams.delete('name');
        res.writeHead(303, { Location: `${url.pathname}${url.search}${url.hash}` });
        return res.end();
      }
      const learner = edge.learner(req);
      if (!learner) {
        if (isApi) return sendError(res, 401, 'jeton d’accès manquant ou invalide');
        return sendHtml(res, 401, unauthorizedPage());
      }
      if (!edge.originAllowed(req)) return sendError(res, 403, 'origine refusée');
      if (isApi) return await api(req, res, learner, url.pathname);
      await deck(req, res);
    })().catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) return sendError(res, error.status, error.message);
      if (error instanceof LabError || error instanceof CommandError) return sendError(res, 400, error.message);
      if (error instanceof NodeUnavailableError) return sendError(res, 409, error.message);
      console.error(error);
      sendError(res, 500, (error as Error).message || 'erreur interne');
    });
  });

  // Before Vite's own listener, so a refused hot-reload socket never reaches it.
  server.prependListener('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const match = /^\/api\/terminal\/([a-z0-9]+)\/([0-9]+)$/.exec(url.pathname);
    if (!match) {
      // Vite's hot-reload socket: its `token` parameter is Vite's own, so only the learner's
      // cookie counts here; Vite's listener answers the handshake.
      if (!edge.learnerFromCookie(req) || !edge.originAllowed(req)) refuse('401 Unauthorized');
      return;
    }
    const learner = edge.learner(req);
    if (!learner) return refuse('401 Unauthorized');
    if (!edge.originAllowed(req)) return refuse('403 Forbidden');
    const [, node, tab] = match;
    if (!NODE_NAME.test(node!) || !TAB.test(tab!)) return refuse('404 Not Found');
    gateway.handleUpgrade(req, socket, head, { learner: learner.id, node: node!, tab: tab! });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  const localToken = await registry.fixed(LOCAL_LEARNER, 'instructor', 'Formateur');
  await writeServerInfo(config.dataDir, { url, token: localToken, pid: process.pid });

  return {
    server,
    url,
    localUrl: `${url}/?token=${localToken}`,
    joinUrl: `${url}/?join=${registry.joinCode}`,
    backend,
    registry,
    clusters,
    gateway,
    async close() {
      await removeServerInfo(config.dataDir);
      await gateway.close();
      await deck.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

function parseShape(value: unknown): ClusterShape | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value as Partial<ClusterShape>;
  const managers = Number(v.managers);
  const workers = Number(v.workers);
  if (!Number.isInteger(managers) || !Number.isInteger(workers) || managers < 1 || managers > 7 || workers < 0 || workers > 8) {
    throw new HttpError(400, 'forme de cluster invalide (1 à 7 managers, 0 à 8 workers)');
  }
  return { managers, workers, swarm: v.swarm === 'bare' ? 'bare' : 'ready', labels: v.labels };
}

interface DeckHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

/** The deck: Vite in middleware mode (hot reload) or the built site in dist/. */
async function deckHandler(config: ServerConfig, server: Server): Promise<DeckHandler> {
  if (config.mode === 'static') {
    const root = path.join(REPO_ROOT, 'dist');
    const handler = (async (req, res) => {
      if (!(await serveStatic(root, req, res))) sendHtml(res, 404, '<!doctype html><html lang="fr"><meta charset="utf-8"><p>Page introuvable. Avez-vous lancé « npm run build » ?</p>');
    }) as DeckHandler;
    handler.close = async () => undefined;
    return handler;
  }
  const { createServer } = await import('vite');
  const { deckViteConfig, deckIndexHtml } = await import('../vite.config');
  const vite = await createServer({
    ...deckViteConfig(),
    configFile: false,
    server: { middlewareMode: true, ws: { server } },
    appType: 'custom',
  });
  const handler = (async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && (pathname === '/' || pathname === '/index.html')) {
      const { status, html } = await deckIndexHtml(vite, req.url ?? '/');
      return sendHtml(res, status, html);
    }
    await new Promise<void>((resolve) => {
      vite.middlewares(req, res, () => {
        sendHtml(res, 404, '<!doctype html><html lang="fr"><meta charset="utf-8"><p>Page introuvable.</p>');
        resolve();
      });
      res.once('finish', resolve);
      res.once('close', resolve);
    });
  }) as DeckHandler;
  handler.close = () => vite.close();
  return handler;
}
