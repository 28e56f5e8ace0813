/**
 * One self-contained HTML presentation: every script, style, font and local image is inlined,
 * so the file opens from file:// or any static server, offline.
 *
 * Inlined: reveal.js (UMD build), reveal.css, the theme CSS, the notes, search and zoom plugins,
 * Font Awesome 4.7 CSS with its woff2 font as a data: URI, a highlight.js theme (code is
 * highlighted at build time), and local images (as data: URIs). reveal's highlight plugin
 * (900 kB) is added only when a code block uses line highlights (`data-line-numbers`), which
 * need it at runtime. The themes' Google Fonts `@import`s are removed (they would fetch from
 * the network); the themes' fallback fonts apply.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fontAwesomeDir, highlightStylesDir, revealDistDir } from './assets.js';
import type { RenderResult, RenderWarning } from './index.js';
import { contentType } from './mime.js';
import { frenchSpeakerView } from './speaker-view.js';
import { escapeHtml } from '../shared/html.js';

const DARK_THEMES = new Set(['black', 'black-contrast', 'blood', 'dracula', 'league', 'moon', 'night']);

const read = (file: string) => readFileSync(file, 'utf8');
/** Inline <script> content must not close the element early. */
const scriptSafe = (js: string) => js.replace(/<\/(script)/gi, '<\\/$1');
const styleSafe = (css: string) => css.replace(/<\/(style)/gi, '<\\/$1');

function fontAwesomeCss(): string {
  const dir = fontAwesomeDir();
  const woff2 = readFileSync(path.join(dir, 'fonts', 'fontawesome-webfont.woff2')).toString('base64');
  return read(path.join(dir, 'css', 'font-awesome.css')).replace(
    /@font-face\s*{[^}]*}/,
    `@font-face {\n  font-family: 'FontAwesome';\n  src: url(data:font/woff2;base64,${woff2}) format('woff2');\n  font-weight: normal;\n  font-style: normal;\n}`,
  );
}

function themeCss(theme: string): string {
  return read(path.join(revealDistDir(), 'theme', `${theme}.css`)).replace(/@import\s+(url\()?["']?https?:[^;]*;/g, '');
}

export interface StandaloneOptions {
  /** Directory that relative image paths are resolved from (the deck's directory). */
  baseDir: string;
  /** Where the rendered HTML's images come from, for warnings (the deck path). */
  source: string;
  /** Finds where an image URL is written in the sources (for warning positions). */
  locate?: (url: string) => { file: string; line: number; column: number } | undefined;
}

/** Inlines local images (img src, data-background-image) as data: URIs; warns about missing ones. */
export function inlineImages(html: string, opts: StandaloneOptions, warnings: RenderWarning[]): string {
  const cache = new Map<string, string | null>();
  const toData = (url: string): string | null => {
    if (/^(data:|https?:|\/\/|#)/i.test(url)) return null;
    if (cache.has(url)) return cache.get(url)!;
    const clean = decodeURIComponent(url.replace(/[?#].*$/, ''));
    const file = path.resolve(opts.baseDir, clean.replace(/^\/+/, ''));
    const type = contentType(file);
    const mime = type?.startsWith('image/') ? type : undefined;
    let data: string | null = null;
    const pos = opts.locate?.(url) ?? { file: opts.source, line: 1, column: 1 };
    if (!mime) {
      warnings.push({ ...pos, message: `image ${url} : type non pris en charge, laissée telle quelle` });
    } else if (!existsSync(file)) {
      warnings.push({ ...pos, message: `image locale introuvable : ${url} (cherchée dans ${file})` });
    } else {
      data = `data:${mime};base64,${readFileSync(file).toString('base64')}`;
    }
    cache.set(url, data);
    return data;
  };
  return html.replace(/(<(?:img|section)\b[^>]*?\s(?:src|data-background-image)=)(["'])(.*?)\2/gi, (all, head: string, q: string, url: string) => {
    const data = toData(url.replace(/&amp;/g, '&'));
    return data ? `${head}${q}${data}${q}` : all;
  });
}

/** reveal's notes plugin with its speaker view in French (speaker-view.ts). */
function frenchNotesPlugin(code: string): string {
  const { code: french, missing } = frenchSpeakerView(code);
  if (missing.length) throw new Error(`vue présentateur : textes anglais introuvables dans reveal.js/dist/plugin/notes.js : ${missing.join(' | ')} — mettez à jour src/render/speaker-view.ts`);
  return french;
}

/** The complete standalone page for a rendered deck. */
export function standalonePage(result: RenderResult, opts: StandaloneOptions): { html: string; warnings: RenderWarning[] } {
  const warnings: RenderWarning[] = [];
  const dist = revealDistDir();
  const { meta } = result;
  const slides = inlineImages(result.html, opts, warnings);
  const lineNumbers = /<code\b[^>]*\sdata-line-numbers[=\s>]/.test(slides);
  const hlTheme = DARK_THEMES.has(meta.theme) ? 'github-dark.min.css' : 'github.min.css';
  const plugins = ['RevealNotes', 'RevealSearch', 'RevealZoom', ...(lineNumbers ? ['RevealHighlight'] : [])];
  const scripts = [
    read(path.join(dist, 'reveal.js')),
    frenchNotesPlugin(read(path.join(dist, 'plugin', 'notes.js'))),
    read(path.join(dist, 'plugin', 'search.js')),
    read(path.join(dist, 'plugin', 'zoom.js')),
    ...(lineNumbers ? [read(path.join(dist, 'plugin', 'highlight.js'))] : []),
  ];
  const config = JSON.stringify({ ...meta.reveal, history: true, plugins: '__PLUGINS__' }, null, 2)
    .replace(/</g, '\\u003c')
    .replace('"__PLUGINS__"', `[${plugins.join(', ')}]`);
  const styles = [
    read(path.join(dist, 'reveal.css')),
    themeCss(meta.theme),
    fontAwesomeCss(),
    read(path.join(highlightStylesDir(), hlTheme)),
    // Build-time highlighting: reveal's own code box, highlight.js colours.
    '.reveal pre code.hljs { max-height: 500px; }',
  ];
  const html = `<!doctype html>
<html lang="${escapeHtml(meta.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=no">
<meta name="generator" content="docker-en-cluster src/render">
<title>${escapeHtml(meta.title)}</title>
${styles.map((css) => `<style>\n${styleSafe(css)}\n</style>`).join('\n')}
</head>
<body>
<div class="reveal">
<div class="slides">
${slides}</div>
</div>
${scripts.map((js) => `<script>\n${scriptSafe(js)}\n</script>`).join('\n')}
<script>
Reveal.initialize(${config});
</script>
</body>
</html>
`;
  return { html, warnings };
}
