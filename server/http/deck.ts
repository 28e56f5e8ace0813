import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import { buildDeck, COCKPIT_HTML, DECK_PACKAGES, DECK_ROOT, needsBuild } from '../../src/deck/build';
import { page, sendHtml } from './edge';
import { staticHandler } from './static';

export interface DeckHandler {
  /** Serves the request; `pathname` is the edge's parsed, decoded-safe path. */
  (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
  /** Vite's hot-reload socket is handled by Vite (dev mode only). */
  readonly hotReload: boolean;
  /** The instructor's cockpit page, the second entry of the build (the edge checked the role). */
  cockpit(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

const NOT_FOUND = page('Page introuvable', '<p>Cette page n’existe pas dans le cours.</p>');

/**
 * Class mode (and --static): the BUILT deck from `outDir`, rebuilt first when missing or older
 * than its inputs, served by sirv. Nothing else of the repository is reachable.
 */
export async function builtDeck(outDir: string, log: (line: string) => void): Promise<DeckHandler> {
  if (needsBuild(outDir)) {
    log(`Construction du diaporama dans ${path.relative(process.cwd(), outDir) || outDir}… (une seule fois, puis à chaque modification des diapositives)`);
    const started = Date.now();
    await buildDeck(outDir);
    log(`Diaporama construit en ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  }
  const serve = staticHandler(outDir);
  const handler = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    // The cockpit page exists only at /cockpit, for the instructor (routes.ts).
    if (pathname === `/${COCKPIT_HTML}`) return sendHtml(res, 404, NOT_FOUND);
    serve(req, res, () => sendHtml(res, 404, NOT_FOUND));
  };
  const cockpit = async (_req: IncomingMessage, res: ServerResponse) => sendHtml(res, 200, await readFile(path.join(outDir, COCKPIT_HTML), 'utf8'));
  return Object.assign(handler, { hotReload: false, cockpit, close: async () => undefined });
}

/** Real paths Vite may serve in dev (the deck's inputs); the data folder is never among them. */
function devRoots(): { slides: string; roots: string[] } {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  const modules = path.join(DECK_ROOT, 'node_modules');
  return {
    slides: real(path.join(DECK_ROOT, 'slides')),
    roots: [
      real(path.join(DECK_ROOT, 'src')),
      real(path.join(DECK_ROOT, 'slides')),
      real(path.join(modules, '.vite')),
      real(path.join(modules, 'vite', 'dist', 'client')),
      ...DECK_PACKAGES.map((p) => real(path.join(modules, p))),
    ],
  };
}

const inside = (file: string, dir: string) => file === dir || file.startsWith(dir + path.sep);

/**
 * Whether a decoded path may reach Vite in dev mode: the page, Vite's client, the deck's
 * virtual modules, files under src/, slides/ and the deck's packages (by URL or /@fs/), and
 * nothing whose real path (symlinks resolved) leaves them or enters the data folder.
 */
export function devPathAllowed(pathname: string, dataDir: string, roots = devRoots()): boolean {
  if (pathname === '/' || pathname === '/index.html' || pathname === '/@vite/client' || pathname === '/@vite/env') return true;
  if (pathname.startsWith('/@id/__x00__virtual:deck/')) return true;
  if (pathname.split('/').some((s) => s === '..' || s === '.' || s.startsWith('.env') || s === '.git')) return false;
  let file: string;
  if (pathname.startsWith('/@fs/')) file = path.resolve(pathname.slice('/@fs'.length));
  else if (/^\/(src|node_modules)\//.test(pathname)) file = path.join(DECK_ROOT, pathname);
  // Any other path is a file of slides/ (images, recordings), as the deck plugin serves them.
  else file = path.join(roots.slides, pathname);
  const real = existsSync(file) ? realpathSync(file) : file;
  const data = existsSync(dataDir) ? realpathSync(dataDir) : path.resolve(dataDir);
  if (inside(real, data)) return false;
  return roots.roots.some((root) => inside(real, root));
}

/** Loopback: Vite in middleware mode (hot reload), behind devPathAllowed. */
export async function devDeck(server: Server, dataDir: string): Promise<DeckHandler> {
  const { createServer } = await import('vite');
  const { deckViteConfig, deckIndexHtml } = await import('../../src/deck/build');
  const config = deckViteConfig({ deny: [dataDir] });
  const vite = await createServer({
    ...config,
    configFile: false,
    server: { ...config.server, middlewareMode: true, ws: { server } },
    appType: 'custom',
  });
  const roots = devRoots();
  const handler = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    if (!devPathAllowed(pathname, dataDir, roots)) return sendHtml(res, 404, NOT_FOUND);
    if (req.method === 'GET' && (pathname === '/' || pathname === '/index.html')) {
      const { status, html } = await deckIndexHtml(vite, req.url ?? '/');
      return sendHtml(res, status, html);
    }
    await new Promise<void>((resolve) => {
      vite.middlewares(req, res, () => {
        sendHtml(res, 404, NOT_FOUND);
        resolve();
      });
      res.once('finish', resolve);
      res.once('close', resolve);
    });
  };
  const cockpit = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readFile(path.join(DECK_ROOT, COCKPIT_HTML), 'utf8');
    sendHtml(res, 200, await vite.transformIndexHtml(`/${COCKPIT_HTML}`, raw, req.url));
  };
  return Object.assign(handler, { hotReload: true, cockpit, close: () => vite.close() });
}
