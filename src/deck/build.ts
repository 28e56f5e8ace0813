// The deck's build functions (Vite config, index.html in middleware mode, production build,
// staleness of dist/), used by vite.config.ts, the lab server (server/), scripts/pdf.ts and the
// tests. Nothing here runs in the browser.
//
// Running the deck inside the lab server (server/http/deck.ts), Vite in middleware mode:
//
//   const vite = await createServer({ ...deckViteConfig({ dataDir }), configFile: false,
//     server: { middlewareMode: true, ws: { server } }, appType: 'custom' });
//   const { status, html } = await deckIndexHtml(vite, req.url);   // index.html is ours to serve
//
// deckIndexHtml() reads index.html and runs it through `vite.transformIndexHtml(url, html)`,
// which calls the deck plugin's transformIndexHtml hook (renders slides/ and injects it) and
// adds the HMR client. A Markdown error becomes a page showing Vite's error overlay
// (file:line:column and the hint), like the standalone dev server does.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type UserConfig, type ViteDevServer } from 'vite';
import { labRenderer } from '../labs/markup';
import { deckPlugin, jsonForScript, type DeckPluginOptions } from './vite-plugin';
import { toViteError } from './vite-error';

/** The repository root (where index.html and slides/ live). */
export const DECK_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What the deck is built from: a change under one of these makes dist/ stale. */
export const DECK_INPUTS = ['slides', 'labs', 'src', 'index.html', 'cockpit.html', 'vite.config.ts'] as const;

/** The instructor's cockpit (src/cockpit/), the build's second page: served at /cockpit by the lab server. */
export const COCKPIT_HTML = 'cockpit.html';

/** Packages the deck's browser code imports (and nothing else of node_modules is served in dev). */
export const DECK_PACKAGES = ['reveal.js', '@xterm/xterm', '@xterm/addon-fit', 'asciinema-player', 'highlight.js', 'font-awesome'] as const;

export type { DeckPluginOptions };

export interface DeckConfigOptions extends DeckPluginOptions {
  /** A folder Vite must never serve (the lab server's data folder). */
  deny?: string[];
}

/**
 * Files Vite's dev server may serve: the deck's own inputs, the packages it imports, Vite's
 * prebundled copies and client. Everything else (the data folder, .git, server/, package.json,
 * keys) is refused, with `strict` also for paths under the root.
 */
function fsRules(options: DeckConfigOptions): NonNullable<NonNullable<UserConfig['server']>['fs']> {
  const modules = path.join(DECK_ROOT, 'node_modules');
  return {
    strict: true,
    allow: [
      path.join(DECK_ROOT, 'index.html'),
      path.join(DECK_ROOT, COCKPIT_HTML),
      path.join(DECK_ROOT, 'src'),
      path.join(DECK_ROOT, 'slides'),
      path.join(modules, '.vite'),
      path.join(modules, 'vite', 'dist', 'client'),
      ...DECK_PACKAGES.map((p) => path.join(modules, p)),
      ...(options.index ? [path.dirname(path.resolve(DECK_ROOT, options.index))] : []),
      ...(options.watch ?? []),
    ],
    deny: ['.env', '.env.*', '*.{crt,pem,key}', 'id_*', '**/.git/**', '**/var/**', '**/known_hosts', 'learners.json', ...(options.deny ?? []).map((d) => `${d}/**`)],
  };
}

/** The deck's Vite config; `options.lab` renders lab slides, `options.index` another course. */
export function deckViteConfig(options: DeckConfigOptions = {}): UserConfig {
  const { deny: _deny, ...plugin } = options;
  return {
    root: DECK_ROOT,
    // Relative URLs everywhere: the built site works from any path (or file://-like hosting).
    base: './',
    publicDir: false,
    // Lab slides are rendered from labs/<id>/lab.yaml, in dev, in the lab server and in the build.
    plugins: [deckPlugin({ lab: labRenderer(path.join(DECK_ROOT, 'labs')), ...plugin })],
    build: {
      outDir: 'dist',
      // Vite's hashed files go to deck/, so that assets/ stays the slides' own folder.
      assetsDir: 'deck',
      target: 'es2022',
      chunkSizeWarningLimit: 1200,
      // The deck, and the instructor's cockpit sharing its chunks (xterm, the live channel).
      rolldownOptions: { input: { deck: path.join(DECK_ROOT, 'index.html'), cockpit: path.join(DECK_ROOT, COCKPIT_HTML) } },
    },
    server: { host: '127.0.0.1', fs: fsRules(options) },
    preview: { host: '127.0.0.1' },
  };
}

/**
 * index.html of the deck for a Vite server in middleware mode. Never throws for a Markdown
 * error: returns status 500 and a page that shows Vite's error overlay.
 */
export async function deckIndexHtml(vite: ViteDevServer, url: string): Promise<{ status: number; html: string }> {
  const raw = await readFile(path.join(DECK_ROOT, 'index.html'), 'utf8');
  try {
    return { status: 200, html: await vite.transformIndexHtml(url, raw) };
  } catch (err) {
    const e = toViteError(err);
    const payload = { message: e.message, stack: e.stack ?? '', id: e.id, frame: e.frame, plugin: e.plugin, loc: e.loc };
    vite.config.logger.error(`[deck] ${e.message}${e.frame ? `\n${e.frame}` : ''}`);
    const client = path.posix.join(vite.config.base.startsWith('/') ? vite.config.base : '/', '@vite/client');
    return {
      status: 500,
      html: `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur dans les diapositives</title>
<script type="module">
const error = ${jsonForScript(payload)};
try { const { ErrorOverlay } = await import(${JSON.stringify(client)}); document.body.appendChild(new ErrorOverlay(error)); }
catch { const pre = document.createElement('pre'); pre.textContent = error.message + '\\n' + (error.frame || ''); document.body.appendChild(pre); }
</script></head><body></body></html>`,
    };
  }
}

/**
 * Builds the deck into `outDir` (the PDF export, class mode, the browser tests). The build goes
 * to a sibling folder first and replaces `outDir` only when complete: an interrupted build
 * never leaves half a site to serve.
 */
export async function buildDeck(outDir: string): Promise<void> {
  const config = deckViteConfig();
  const target = path.resolve(outDir);
  const tmp = `${target}.building-${process.pid}`;
  await build({ ...config, configFile: false, logLevel: 'warn', build: { ...config.build, outDir: tmp, emptyOutDir: true } });
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) await rename(target, old);
  await rename(tmp, target);
  await rm(old, { recursive: true, force: true });
}

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) if (e !== 'node_modules') max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

/** True when `outDir` has no built deck or is older than one of the deck's inputs. */
export function needsBuild(outDir: string): boolean {
  const built = path.join(outDir, 'index.html');
  if (!existsSync(built) || !existsSync(path.join(outDir, COCKPIT_HTML))) return true;
  const t = statSync(built).mtimeMs;
  return DECK_INPUTS.map((p) => path.join(DECK_ROOT, p)).some((s) => newestMtime(s) > t);
}
