// Vite configuration of the deck (reveal.js app + build-time rendering of slides/).
//
// Running the deck inside the lab server (server/), Vite in middleware mode:
//
//   import { createServer } from 'vite';
//   import { deckViteConfig, deckIndexHtml } from '../vite.config';
//   const vite = await createServer({
//     ...deckViteConfig({ lab: (ref) => renderLab(ref) }),   // or configFile: 'vite.config.ts'
//     configFile: false,
//     server: { middlewareMode: true },
//     appType: 'custom',
//   });
//   app.use(vite.middlewares);            // modules, HMR client, slide images (slides/assets/…)
//   app.get('/', async (req, res) => {    // index.html is NOT served by Vite with appType 'custom'
//     const { status, html } = await deckIndexHtml(vite, req.originalUrl ?? req.url);
//     res.status(status).type('html').end(html);
//   });
//
// deckIndexHtml() reads index.html and runs it through `vite.transformIndexHtml(url, html)`,
// which calls the deck plugin's transformIndexHtml hook (renders slides/ and injects it) and
// adds the HMR client. A Markdown error becomes a page showing Vite's error overlay
// (file:line:column and the hint), like the standalone dev server does.
// With appType 'spa' Vite serves index.html itself (same hook); use it if the server has no
// route of its own for '/'. HMR uses Vite's own WebSocket; pass `server.ws.server` to share the
// lab server's HTTP server if needed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type UserConfig, type ViteDevServer } from 'vite';
import { deckPlugin, toViteError, jsonForScript, type DeckPluginOptions } from './src/deck/vite-plugin.js';
import { labRenderer } from './src/labs/markup';

/** The repository root (where index.html and slides/ live). */
export const DECK_ROOT = path.dirname(fileURLToPath(import.meta.url));

export type { DeckPluginOptions };

/** The deck's Vite config; `options.lab` renders lab slides, `options.index` another course. */
export function deckViteConfig(options: DeckPluginOptions = {}): UserConfig {
  return {
    root: DECK_ROOT,
    // Relative URLs everywhere: the built site works from any path (or file://-like hosting).
    base: './',
    publicDir: false,
    // Lab slides are rendered from labs/<id>/lab.yaml, in dev, in the lab server and in the build.
    plugins: [deckPlugin({ lab: labRenderer(path.join(DECK_ROOT, 'labs')), ...options })],
    build: {
      outDir: 'dist',
      // Vite's hashed files go to deck/, so that assets/ stays the slides' own folder.
      assetsDir: 'deck',
      target: 'es2022',
      chunkSizeWarningLimit: 1200,
    },
    server: { host: '127.0.0.1' },
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

/** Builds the deck into `outDir` (the PDF export and the browser tests). */
export async function buildDeck(outDir: string): Promise<void> {
  const config = deckViteConfig();
  await build({ ...config, configFile: false, logLevel: 'warn', build: { ...config.build, outDir, emptyOutDir: true } });
}

export default defineConfig(deckViteConfig());
