// Vite plugin of the deck: renders the course (src/render/) at build time and in dev, injects
// it into index.html, serves/copies the images the slides reference, and hot-updates the slides
// in the browser (custom HMR event `deck:update`, applied by src/deck/main.ts without reload).
//
// index.html placeholders: <!--deck:title-->, <!--deck:head-->, <!--deck:slides-->,
// <!--deck:meta--> (inside <script type="application/json" id="deck-meta">), and the `lang`
// attribute of <html>.
import { existsSync, readFileSync, readdirSync, statSync, createReadStream } from 'node:fs';
import path from 'node:path';
import type { Plugin, ResolvedConfig, ViteDevServer, Connect } from 'vite';
import { BodyCache, renderCourse, RenderError } from '../render/index.js';
import { contentType } from '../render/mime.js';
import type { RenderOptions, RenderResult } from '../render/index.js';
import { frenchSpeakerView } from '../render/speaker-view.js';
import { escapeHtml } from '../shared/html.js';

export type LabCallback = RenderOptions['lab'];

export interface DeckPluginOptions {
  /** The course's index (lists the chapter files). Relative to Vite's root, or absolute. */
  index?: string;
  /** Renders lab slides (`§lab:…§;`); wired by the lab server. */
  lab?: LabCallback;
  /** Directories whose changes re-render the deck in dev (default: the index's folder and `labs`). */
  watch?: string[];
}

export const THEME_MODULE = 'virtual:deck/theme.css';
export const DECK_UPDATE_EVENT = 'deck:update';

const PLACEHOLDERS = ['<!--deck:title-->', '<!--deck:head-->', '<!--deck:slides-->', '<!--deck:meta-->'] as const;

/** JSON safe inside <script>: no `</script>`, no `<!--`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The course's icon (a container on a whale-blue square), inline: no request at all. */
export const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1565c0"/><path fill="#fff" d="M3 6h3v3H3zm3.5 0h3v3h-3zm3.5 0h3v3h-3zM6.5 2.5h3v3h-3z"/></svg>',
)}`;

/** Fills index.html's placeholders with a rendered course. */
export function injectDeck(html: string, result: RenderResult): string {
  for (const p of PLACEHOLDERS) {
    if (!html.includes(p)) throw new Error(`index.html : il manque le marqueur ${p} (voir src/deck/vite-plugin.ts)`);
  }
  const { meta } = result;
  const head = [
    meta.subtitle ? `<meta name="description" content="${escapeHtml(meta.subtitle)}" />` : '',
    `<meta name="generator" content="docker-en-cluster deck (reveal.js)" />`,
    // An icon in the page itself: without one, browsers ask the host's /favicon.ico, outside the
    // site's sub-path on GitHub Pages (a 404 in the console).
    `<link rel="icon" href="${FAVICON}" />`,
  ]
    .filter(Boolean)
    .join('\n    ');
  const clientMeta = { title: meta.title, subtitle: meta.subtitle, lang: meta.lang, theme: meta.theme, reveal: meta.reveal };
  return html
    .replace(/<html([^>]*?)\slang="[^"]*"/, `<html$1 lang="${escapeHtml(meta.lang || 'fr')}"`)
    .replace('<!--deck:title-->', () => escapeHtml(meta.title))
    .replace('<!--deck:head-->', () => head)
    .replace('<!--deck:slides-->', () => result.html)
    .replace('<!--deck:meta-->', () => jsonForScript(clientMeta));
}

/** Relative URLs (to the slides folder) that the rendered HTML references. */
export function localReferences(html: string): string[] {
  const refs = new Set<string>();
  const add = (raw: string): void => {
    const url = raw.trim().replace(/&amp;/g, '&');
    if (!url || /^(?:[a-z][a-z0-9+.-]*:|\/\/|\/|#|\?)/i.test(url)) return; // absolute, scheme, anchor
    const clean = decodeURI(url.split(/[?#]/)[0] ?? '');
    if (clean) refs.add(clean);
  };
  const attr = /\s(?:src|href|poster|data-src|data-background|data-background-image|data-background-video|data-background-iframe)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
  for (const m of html.matchAll(attr)) add(m[1] ?? m[2] ?? '');
  for (const m of html.matchAll(/\ssrcset\s*=\s*"([^"]*)"/gi)) {
    for (const part of (m[1] ?? '').split(',')) add(part.trim().split(/\s+/)[0] ?? '');
  }
  for (const m of html.matchAll(/url\(\s*(?:&quot;|["'])?([^"')&]+)(?:&quot;|["'])?\s*\)/gi)) add(m[1] ?? '');
  return [...refs];
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** A file of the slides folder that may be served/copied (never the Markdown sources). */
function slideFile(slidesDir: string, rel: string): string | null {
  const abs = path.resolve(slidesDir, rel);
  if (abs !== slidesDir && !abs.startsWith(slidesDir + path.sep)) return null;
  if (/\.(?:md|markdown)$/i.test(abs)) return null;
  try {
    return statSync(abs).isFile() ? abs : null;
  } catch {
    return null;
  }
}

/** `recordings/<lab>/<exercise>.cast` files of the slides folder (course CI recordings). */
export function listRecordings(slidesDir: string): string[] {
  return listFiles(path.join(slidesDir, 'recordings'), 'recordings').filter((f) => /^recordings\/[a-z0-9-]+\/[a-z0-9-]+\.cast$/.test(f));
}

export interface RecordingEntry {
  /** Relative to the site's root (and to slides/ in dev). */
  file: string;
  recordedAt?: string;
  generatedBy?: string;
  solutionHash?: string;
}

/**
 * `recordings/index.json`: which solutions have a recording, so that the self-paced lab UI never
 * asks for a file that does not exist (a 404 is a console error in browsers).
 */
export function recordingsIndex(slidesDir: string): { recordings: Record<string, RecordingEntry> } {
  const recordings: Record<string, RecordingEntry> = {};
  for (const rel of listRecordings(slidesDir)) {
    const [, lab, exercise] = /^recordings\/([^/]+)\/([^/]+)\.cast$/.exec(rel)!;
    let meta: { recordedAt?: string; generatedBy?: string; solutionHash?: string } = {};
    try {
      const text = readFileSync(path.join(slidesDir, rel), 'utf8');
      const nl = text.indexOf('\n');
      const header = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as { version?: number; 'x-docker-en-cluster'?: typeof meta };
      if (header.version !== 2) continue;
      meta = header['x-docker-en-cluster'] ?? {};
    } catch {
      continue; // not an asciicast v2 file: not offered
    }
    recordings[`${lab}/${exercise}`] = { file: rel, recordedAt: meta.recordedAt, generatedBy: meta.generatedBy, solutionHash: meta.solutionHash };
  }
  return { recordings };
}

/** What a static host answers to the lab UI's probe of `api/session` (no lab server here). */
export const STATIC_SESSION = '{"static":true}\n';

interface ViteLikeError extends Error {
  id?: string;
  loc?: { file?: string; line: number; column: number };
  frame?: string;
  plugin?: string;
}

/** A code frame in Vite's format (`> 12 | text` and a caret line), for the error overlay. */
export function codeFrame(source: string, line: number, column: number, context = 2): string {
  const lines = source.split(/\r?\n/);
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}

/**
 * A RenderError as Vite reports it: message "file:line:column: reason" + "Conseil : hint", the
 * position in `loc` (the overlay links it), and the source lines around it as `frame`.
 */
export function toViteError(err: unknown): ViteLikeError {
  if (err instanceof RenderError) {
    // The renderer names files relative to the working directory.
    const file = path.resolve(err.file);
    const e = new Error(err.hint ? `${err.message}\nConseil : ${err.hint}` : err.message) as ViteLikeError;
    e.name = 'RenderError';
    e.id = file;
    e.loc = { file, line: err.line, column: err.column };
    try {
      e.frame = codeFrame(readFileSync(file, 'utf8'), err.line, err.column);
    } catch {
      e.frame = '';
    }
    e.plugin = 'deck';
    e.stack = `${err.message}\n    at ${file}:${err.line}:${err.column}`;
    return e;
  }
  return err instanceof Error ? (err as ViteLikeError) : new Error(String(err));
}

/** What the page receives after an edit (src/deck/main.ts applies it). */
export interface DeckUpdatePayload {
  /** Every slide, for a page that cannot patch (another number of sections). */
  html: string;
  title: string;
  /** Number of top-level sections `changed` applies to. */
  total: number;
  /** The top-level sections that differ from the previous render. */
  changed: { index: number; html: string }[];
}

export function deckUpdate(before: RenderResult | undefined, after: RenderResult): DeckUpdatePayload {
  const prev = before?.sections ?? [];
  const changed = after.sections.flatMap((html, index) => (prev[index] === html ? [] : [{ index, html }]));
  return { html: after.html, title: after.meta.title, total: after.sections.length, changed };
}

export function deckPlugin(options: DeckPluginOptions = {}): Plugin[] {
  let config: ResolvedConfig;
  let indexPath = '';
  let slidesDir = '';
  let watchDirs: string[] = [];
  let current: RenderResult | undefined;
  let currentError: ViteLikeError | undefined;
  // Rendered chapters, kept between renders: after an edit only the edited chapter (or the one
  // that includes the edited file) is rendered again.
  const cache = new BodyCache();
  /** Set by the dev server: watches the source files of each render. */
  let onRendered: ((result: RenderResult) => void) | undefined;

  const render = (): RenderResult => {
    const result = renderCourse(indexPath, { ...(options.lab ? { lab: options.lab } : {}), cache });
    current = result;
    currentError = undefined;
    onRendered?.(result);
    return result;
  };

  const sourceFiles = (result: RenderResult): string[] => {
    const files = new Set<string>([indexPath, ...result.files]);
    for (const c of result.meta.chapters) files.add(path.resolve(slidesDir, c));
    return [...files].filter((f) => existsSync(f));
  };

  const themePlugin: Plugin = {
    name: 'deck:theme',
    enforce: 'pre',
    async resolveId(id) {
      if (id !== THEME_MODULE) return null;
      const theme = (current ?? safeRender())?.meta.theme || 'white';
      const resolved = await this.resolve(`reveal.js/theme/${theme}.css`);
      if (!resolved) this.error(`thème reveal.js introuvable : ${theme}`);
      return resolved;
    },
    transform(code, id) {
      // reveal's themes @import Google Fonts: no request may leave the local server (privacy,
      // offline classrooms). The theme's font stacks fall back to local sans-serif fonts.
      if (!/[\\/]reveal\.js[\\/]dist[\\/]theme[\\/][^\\/]+\.css(?:\?|$)/.test(id)) return null;
      return { code: code.replace(/@import\s+(?:url\()?\s*["']?(?:https?:)?\/\/[^;]*;/g, '/* remote font import removed by deck:theme */'), map: null };
    },
  };

  function safeRender(): RenderResult | undefined {
    try {
      return render();
    } catch (err) {
      // Forget the last good render: a reload must show the error, not stale slides.
      current = undefined;
      currentError = toViteError(err);
      return undefined;
    }
  }

  // The speaker window of reveal's notes plugin, in French (in the build and in dev, where the
  // plugin may come pre-bundled by Vite: matched by its content, not by its path).
  const speakerViewPlugin: Plugin = {
    name: 'deck:speaker-view',
    // Served from node_modules as it is (not pre-bundled), so that transform() sees its source.
    config: () => ({ optimizeDeps: { exclude: ['reveal.js/plugin/notes'] } }),
    transform(code) {
      if (!code.includes('reveal.js - Speaker View')) return null;
      const { code: french, missing } = frenchSpeakerView(code);
      if (missing.length) this.error(`vue présentateur : textes anglais introuvables dans le plugin notes de reveal.js (nouvelle version ?) : ${missing.join(' | ')} — mettez à jour src/deck/speaker-view.ts`);
      return { code: french, map: null };
    },
  };

  const mainPlugin: Plugin = {
    name: 'deck',
    configResolved(resolved) {
      config = resolved;
      indexPath = path.resolve(config.root, options.index ?? 'slides/index.md');
      slidesDir = path.dirname(indexPath);
      watchDirs = (options.watch ?? [slidesDir, path.resolve(config.root, 'labs')]).map((d) => path.resolve(config.root, d));
    },

    buildStart() {
      if (config.command !== 'build') return;
      let result: RenderResult;
      try {
        result = render();
      } catch (err) {
        const e = toViteError(err);
        // The message starts with file:line:column; the hint and the source lines follow it.
        this.error(e.frame ? `${e.message}\n\n${e.frame}` : e.message);
      }
      for (const w of result.warnings) this.warn(`${w.file}:${w.line}:${w.column}: ${w.message}`);
      for (const f of sourceFiles(result)) this.addWatchFile(f);
    },

    transformIndexHtml: {
      order: 'post',
      handler(html) {
        // Another page of the build (the cockpit) is not the deck.
        if (/<html[^>]*\sdata-deck="none"/.test(html)) return html;
        if (config.command === 'build') {
          if (!current) throw new Error('deck: le rendu du cours manque (buildStart)');
          return injectDeck(html, current);
        }
        // Dev (also Vite in middleware mode, through vite.transformIndexHtml): render on demand.
        const result = current ?? safeRender();
        if (!result) throw currentError;
        return injectDeck(html, result);
      },
    },

    generateBundle() {
      if (!current) return;
      // Images and other files of the slides folder: copied at the same relative path, so that
      // `assets/x.svg` (relative to slides/) works under any base path.
      const files = new Set(listFiles(path.join(slidesDir, 'assets'), 'assets'));
      for (const ref of localReferences(current.html)) {
        if (slideFile(slidesDir, ref)) files.add(path.posix.normalize(ref));
        else this.warn(`deck: fichier référencé introuvable dans ${path.relative(config.root, slidesDir) || '.'}/ : ${ref}`);
      }
      // Recordings of the reference solutions, replayed by the self-paced lab slides, and their index.
      for (const rel of listRecordings(slidesDir)) files.add(rel);
      for (const rel of files) {
        const abs = slideFile(slidesDir, rel);
        if (abs) this.emitFile({ type: 'asset', fileName: rel, source: readFileSync(abs) });
      }
      this.emitFile({ type: 'asset', fileName: 'recordings/index.json', source: JSON.stringify(recordingsIndex(slidesDir)) });
      // A static host (GitHub Pages) has no lab server: the lab UI's probe of api/session gets a
      // clean « static » answer instead of a 404. The lab server answers /api/* itself, before
      // any file of dist/, so this file never shadows the real API.
      this.emitFile({ type: 'asset', fileName: 'api/session', source: STATIC_SESSION });
    },

    handleHotUpdate(ctx) {
      // Our sources are not modules: keep Vite from handling them.
      if (watchDirs.some((d) => ctx.file.startsWith(d + path.sep) || ctx.file.startsWith(d + '/'))) return [];
      return undefined;
    },

    configureServer(server: ViteDevServer) {
      for (const d of watchDirs) server.watcher.add(d);

      const serveSlideFiles: Connect.NextHandleFunction = (req, res, next) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return next();
        let pathname: string;
        try {
          pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        } catch {
          return next();
        }
        const base = config.base.startsWith('/') ? config.base : '/';
        if (!pathname.startsWith(base)) return next();
        if (pathname.slice(base.length) === 'recordings/index.json') {
          res.setHeader('Content-Type', 'application/json');
          res.setHeader('Cache-Control', 'no-cache');
          return void res.end(req.method === 'HEAD' ? undefined : JSON.stringify(recordingsIndex(slidesDir)));
        }
        const abs = slideFile(slidesDir, pathname.slice(base.length));
        if (!abs) return next();
        res.setHeader('Content-Type', contentType(abs) ?? 'application/octet-stream');
        res.setHeader('Cache-Control', 'no-cache');
        if (req.method === 'HEAD') return void res.end();
        createReadStream(abs).pipe(res);
      };
      server.middlewares.use(serveSlideFiles);

      let timer: NodeJS.Timeout | undefined;
      let pending: string[] = [];
      // Source files outside the watched folders (included files are inside the deck's folder,
      // but watch them even when `watch` names other folders).
      const watchedFiles = new Set<string>();
      const watchSources = (result: RenderResult): void => {
        for (const f of sourceFiles(result)) {
          if (watchedFiles.has(f) || watchDirs.some((d) => f.startsWith(d + path.sep))) continue;
          watchedFiles.add(f);
          server.watcher.add(f);
        }
      };
      onRendered = watchSources;
      const rerender = (): void => {
        const changed = pending;
        pending = [];
        const before = current;
        const hadError = !!currentError;
        // Lab files and the like change what chapters render to without changing their text.
        if (changed.some((f) => !/\.(?:md|markdown)$/i.test(f))) cache.clear();
        const t0 = performance.now();
        const result = safeRender();
        const renderMs = performance.now() - t0;
        if (!result) {
          const err = currentError!;
          config.logger.error(`[deck] ${err.message}${err.frame ? `\n\n${err.frame}` : ''}`, { timestamp: true });
          server.ws.send({
            type: 'error',
            err: { message: err.message, stack: err.stack ?? '', id: err.id, frame: err.frame, plugin: 'deck', loc: err.loc },
          });
          return;
        }
        for (const w of result.warnings) config.logger.warn(`[deck] ${w.file}:${w.line}:${w.column}: ${w.message}`);
        const m0 = before?.meta;
        const m1 = result.meta;
        const onlyAssets = changed.every((f) => !/\.(?:md|markdown|ya?ml|json|sh)$/i.test(f));
        if (hadError || !m0 || m0.theme !== m1.theme || m0.lang !== m1.lang || JSON.stringify(m0.reveal) !== JSON.stringify(m1.reveal) || onlyAssets) {
          // A new theme or new reveal options need a fresh page (reveal initialises once);
          // an image changed on disk needs the browser to fetch it again.
          server.moduleGraph.invalidateAll();
          server.ws.send({ type: 'full-reload', path: '*' });
          return;
        }
        server.ws.send({ type: 'custom', event: DECK_UPDATE_EVENT, data: deckUpdate(before, result) });
        config.logger.info(
          `[deck] diapositives mises à jour (${[...new Set(changed)].map((f) => path.relative(config.root, f)).join(', ')}, rendu ${renderMs.toFixed(0)} ms)`,
          { timestamp: true },
        );
      };
      server.watcher.on('all', (_event, file) => {
        const abs = path.resolve(file);
        if (!watchedFiles.has(abs) && !watchDirs.some((d) => abs === d || abs.startsWith(d + path.sep))) return;
        pending.push(abs);
        clearTimeout(timer);
        // Coalesce the bursts editors produce (write + rename, several files saved at once).
        timer = setTimeout(rerender, 10);
      });
    },
  };

  return [themePlugin, speakerViewPlugin, mainPlugin];
}
