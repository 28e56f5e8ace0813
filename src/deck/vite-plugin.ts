// Vite plugin of the deck: renders the course (src/render/) at build time and in dev, injects
// it into index.html, serves/copies the images the slides reference, and hot-updates the slides
// in the browser (custom HMR event `deck:update`, applied by src/deck/main.ts without reload).
//
// index.html placeholders: <!--deck:title-->, <!--deck:head-->, <!--deck:slides-->,
// <!--deck:meta--> (inside <script type="application/json" id="deck-meta">), and the `lang`
// attribute of <html>.
import { existsSync, readFileSync, createReadStream } from 'node:fs';
import path from 'node:path';
import type { Plugin, ResolvedConfig, ViteDevServer, Connect } from 'vite';
import { BodyCache, renderCourse } from '../render/index.js';
import { contentType } from '../render/mime.js';
import type { RenderOptions, RenderResult } from '../render/index.js';
import { frenchSpeakerView } from '../render/speaker-view.js';
import { escapeHtml } from '../shared/html.js';
import { FAVICON } from '../shared/favicon.js';
import { DECK_UPDATE_EVENT, deckUpdate } from './hot-update.js';
import { listFiles, listRecordings, localReferences, recordingsIndex, slideFile } from './slide-files.js';
import { toViteError, type ViteLikeError } from './vite-error.js';

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

const PLACEHOLDERS = ['<!--deck:title-->', '<!--deck:head-->', '<!--deck:slides-->', '<!--deck:meta-->'] as const;

/** JSON safe inside <script>: no `</script>`, no `<!--`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

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

/** What a static host answers to the lab UI's probe of `api/session` (no lab server here). */
export const STATIC_SESSION = '{"static":true}\n';

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
