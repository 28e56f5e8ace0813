/**
 * The slide renderer: gh-reveal Markdown decks (front matter + `§` directives) → reveal.js
 * `<section>` elements. Pure apart from reading the installed theme/icon lists and, for
 * renderCourse, the chapter files. See docs/writing-slides.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineMap, RenderError, type RenderWarning, type SourcePos } from './errors.js';
import { parseFrontMatter, type DeckFrontMatter } from './frontmatter.js';
import { PARAGRAPH_MARK, type LabRef } from './directives.js';
import { BodyCache, renderBody, slideStart, type BodyFile, type BodySlide } from './body.js';
import { expandIncludes } from './include.js';
import { frenchTypography } from './typography.js';
import { escapeHtml } from '../shared/html.js';

export { RenderError, formatWarning, type RenderWarning } from './errors.js';
export { BodyCache } from './body.js';
export type { LabRef } from './directives.js';

export interface SourceFile {
  /** What error messages show (relative to the repository). */
  path: string;
  text: string;
}

export interface RenderOptions {
  /** Renders the body of a lab slide for `§lab:ID§;` or `§lab:ID/EXERCISE§;`. Throw or return null for an unknown lab. */
  lab?: (ref: LabRef) => string | null;
  /** Keeps rendered chapters between renders (only edited ones are rendered again). */
  cache?: BodyCache;
}

export interface DeckMeta {
  title: string;
  subtitle?: string;
  /** reveal.js theme name (a file of reveal.js/dist/theme); `white` when absent. */
  theme: string;
  /** `fr` when absent. */
  lang: string;
  /** reveal.js options, typed as written in YAML, with `history: true` forced. */
  reveal: Record<string, unknown>;
  /** Chapter files as listed in the course index (empty for a single deck). */
  chapters: string[];
}

export interface SlideInfo {
  h: number;
  v: number;
  id?: string;
  title: string;
  notes: boolean;
  lab?: LabRef;
  file: string;
  line: number;
}

export interface RenderResult {
  meta: DeckMeta;
  /** The <section> elements that go inside <div class="slides">. */
  html: string;
  /** `html` cut into its top-level <section>s (the title slide, then one per horizontal section). */
  sections: string[];
  /** For each of `sections`, its vertical slides (none for the title slide). */
  slideHtml: string[][];
  slides: SlideInfo[];
  warnings: RenderWarning[];
  /** Absolute paths of every source file read: the deck or index, chapters, included files. */
  files: string[];
}

export const DEFAULT_THEME = 'white';
export const DEFAULT_LANG = 'fr';

interface PendingSlide extends BodySlide {
  info: SlideInfo;
}


function buildMeta(fm: DeckFrontMatter, warn: (pos: SourcePos, msg: string) => void, keyPos: (k: string) => SourcePos): DeckMeta {
  const reveal: Record<string, unknown> = { ...(fm.initialization ?? {}) };
  if (reveal.history === false) warn(keyPos('initialization'), 'initialization.history: false est ignoré (la navigation par l’URL #/… est toujours active)');
  reveal.history = true;
  return {
    title: fm.title,
    ...(fm.subtitle !== undefined ? { subtitle: fm.subtitle } : {}),
    theme: fm.theme ?? DEFAULT_THEME,
    lang: fm.lang ?? DEFAULT_LANG,
    reveal,
    chapters: fm.chapters ?? [],
  };
}

/** Renders the title slide and the given body files as one deck. */
function renderBodies(meta: DeckMeta, titlePos: SourcePos, bodies: BodyFile[], options: RenderOptions, warnings: RenderWarning[], files: string[]): RenderResult {
  const warn = (pos: SourcePos, message: string) => warnings.push({ file: pos.file, line: pos.line, column: pos.column, message });
  const slides: PendingSlide[] = [];
  const horizontals: PendingSlide[][] = [];
  let h = 1; // h = 0 is the title slide
  for (const body of bodies) {
    // Each file starts a new horizontal section (as if preceded by §new).
    const key = `${body.lines.file}\0${body.bodyOffset}`;
    let rendered = options.cache?.get(key, body.lines.text);
    if (!rendered) {
      rendered = renderBody(body, options.lab, options.cache, key);
      options.cache?.set(key, body.lines.text, rendered);
    }
    warnings.push(...rendered.warnings);
    for (const verticals of rendered.horizontals) {
      const pending = verticals.map((s): PendingSlide => {
        const info: SlideInfo = {
          h,
          v: s.v,
          ...(s.id ? { id: s.id } : {}),
          title: s.title,
          notes: s.notes,
          ...(s.lab ? { lab: s.lab } : {}),
          file: s.pos.file,
          line: s.pos.line,
        };
        return { ...s, info };
      });
      slides.push(...pending);
      horizontals.push(pending);
      h++;
    }
  }

  checkDeck(slides, horizontals, warn);

  const title = escapeHtml(frenchTypography(meta.title));
  let titleSection = `<section class="title-slide">\n<h1>${title}</h1>\n`;
  if (meta.subtitle) titleSection += `<p class="subtitle">${escapeHtml(frenchTypography(meta.subtitle))}</p>\n`;
  titleSection += '</section>\n';
  // linkedom writes U+00A0 / U+202F as character references; keep the characters.
  const finish = (s: string) => s.replaceAll('&#160;', '\u00a0').replaceAll('&#8239;', '\u202f').replaceAll(PARAGRAPH_MARK, '§');
  const slideHtml = [[], ...horizontals.map((verticals) => verticals.map((s) => finish(s.html)))];
  const sections = [finish(titleSection), ...slideHtml.slice(1).map((verticals) => `<section>\n${verticals.map((html) => html + '\n').join('')}</section>\n`)];
  const titleInfo: SlideInfo = { h: 0, v: 0, title: meta.title, notes: false, file: titlePos.file, line: titlePos.line };
  return { meta, html: sections.join(''), sections, slideHtml, slides: [titleInfo, ...slides.map((s) => s.info)], warnings, files };
}

/** Position in a slide's source of the first occurrence of `needle` (for links and images). */
function findInSlide(slide: PendingSlide, needles: string[]): SourcePos {
  for (const n of needles) {
    const at = slide.chunk.text.indexOf(n);
    // Point at the URL itself, not at the delimiter before it.
    if (at >= 0) return slide.lines.pos(slide.chunk.offset + at + (/^["'(]/.test(n) ? 1 : 0));
  }
  return slideStart(slide.lines, slide.chunk);
}

/** Whole-deck checks: duplicate ids, internal links, hotlinked images. */
function checkDeck(slides: PendingSlide[], horizontals: PendingSlide[][], warn: (pos: SourcePos, message: string) => void): void {
  const ids = new Map<string, PendingSlide>();
  for (const s of slides) {
    const id = s.info.id;
    if (!id) continue;
    const pos = s.idDirective?.pos ?? findInSlide(s, [id]);
    const first = ids.get(id);
    if (first) {
      const fp = first.idDirective?.pos ?? findInSlide(first, [id]);
      throw new RenderError(pos, `identifiant de diapositive « ${id} » déjà utilisé (${fp.file}:${fp.line}:${fp.column})`, 'chaque §id doit être unique dans tout le cours');
    }
    if (/^\d+$/.test(id)) throw new RenderError(pos, `identifiant de diapositive « ${id} » purement numérique`, 'reveal.js lirait #/3 comme un numéro de diapositive : ajoutez des lettres');
    ids.set(id, s);
  }
  for (const s of slides) {
    for (const a of s.section.querySelectorAll('a[href^="#"]')) {
      const href = a.getAttribute('href')!;
      const target = href.replace(/^#\/?/, '');
      if (target === '') continue;
      const index = /^(\d+)(?:\/(\d+))?\/?$/.exec(target);
      let ok: boolean;
      if (index && href.startsWith('#/')) {
        const hh = Number(index[1]);
        const vv = index[2] === undefined ? 0 : Number(index[2]);
        ok = hh === 0 ? vv === 0 : (horizontals[hh - 1]?.length ?? 0) > vv;
      } else {
        ok = ids.has(decodeURIComponent(target));
      }
      if (!ok) {
        const pos = findInSlide(s, [`(${href})`, `"${href}"`, `'${href}'`, href]);
        throw new RenderError(
          pos,
          `lien interne cassé « ${href} » : aucune diapositive n’a cet identifiant`,
          `ajoutez §id:${target}§; à la diapositive visée ou corrigez le lien (identifiants connus : ${[...ids.keys()].join(', ') || 'aucun'})`,
        );
      }
    }
    for (const img of s.section.querySelectorAll('img[src]')) {
      const src = img.getAttribute('src')!;
      if (/^https?:\/\//i.test(src)) {
        warn(findInSlide(s, [src]), `image distante ${src} : téléchargez-la dans slides/assets/ (elle peut disparaître et ne s’affiche pas hors ligne)`);
      }
    }
  }
}

/** Renders one gh-reveal deck file (front matter + body). */
export function renderDeck(source: SourceFile, options: RenderOptions = {}): RenderResult {
  const lines = new LineMap(source.path, source.text.replace(/^\uFEFF/, ''));
  const fm = parseFrontMatter(lines);
  if (!fm.data) {
    throw new RenderError(lines.pos(0), 'front matter absent', 'commencez le fichier par un bloc YAML entre deux lignes --- avec au moins « title: … »');
  }
  if (fm.data.chapters) {
    throw new RenderError(fm.keyPos('chapters'), '« chapters » n’est lu que dans l’index du cours', 'rendez l’index avec renderCourse (npm run render -- slides/index.md)');
  }
  const warnings: RenderWarning[] = [];
  const meta = buildMeta(fm.data, (pos, message) => warnings.push({ ...pos, message }), fm.keyPos);
  // `{% include_relative %}` paths are relative to the deck file (source.path, from the cwd).
  const file = path.resolve(source.path);
  const body = expandIncludes(lines, { file, root: path.dirname(file), from: fm.bodyOffset });
  return renderBodies(meta, fm.keyPos('title'), [{ lines: body.lines, bodyOffset: fm.bodyOffset }], options, warnings, [file, ...body.included]);
}

/**
 * Renders the course: `indexPath` (e.g. slides/index.md) has the front matter and lists its
 * `chapters:` (paths relative to it). The index body, when not blank, comes first; each
 * chapter starts a new horizontal section. Chapter files have no front matter.
 */
export function renderCourse(indexPath: string, options: RenderOptions = {}): RenderResult {
  const display = (p: string) => path.relative(process.cwd(), p) || p;
  const lines = new LineMap(display(indexPath), readFileSync(indexPath, 'utf8').replace(/^\uFEFF/, ''));
  const fm = parseFrontMatter(lines);
  if (!fm.data) throw new RenderError(lines.pos(0), 'front matter absent', 'l’index du cours commence par un bloc YAML avec title et chapters');
  if (!fm.data.chapters || fm.data.chapters.length === 0) {
    throw new RenderError(fm.keyPos('title'), '« chapters » absent de l’index du cours', 'listez les fichiers des chapitres : chapters: [01-intro.md, 02-noeuds.md]');
  }
  const warnings: RenderWarning[] = [];
  const meta = buildMeta(fm.data, (pos, message) => warnings.push({ ...pos, message }), fm.keyPos);
  const bodies: BodyFile[] = [];
  const dir = path.dirname(path.resolve(indexPath));
  const files = [path.resolve(indexPath)];
  // Included files stay inside the course's folder; their paths are relative to the includer.
  const expand = (map: LineMap, file: string, from: number): LineMap => {
    const expanded = expandIncludes(map, { file, root: dir, from, display });
    for (const f of expanded.included) if (!files.includes(f)) files.push(f);
    return expanded.lines;
  };
  if (lines.text.slice(fm.bodyOffset).trim() !== '') bodies.push({ lines: expand(lines, files[0]!, fm.bodyOffset), bodyOffset: fm.bodyOffset });
  const seen = new Set<string>();
  for (const [i, chapter] of fm.data.chapters.entries()) {
    const file = path.resolve(dir, chapter);
    const pos = fm.keyPos('chapters');
    if (seen.has(file)) throw new RenderError(pos, `chapitre « ${chapter} » listé deux fois`, 'retirez le doublon de chapters');
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    } catch {
      throw new RenderError(fm.pathPos(['chapters', i]), `chapitre introuvable « ${chapter} »`, `le chemin est relatif à ${display(dir)}/`);
    }
    const cl = new LineMap(display(file), text);
    if (/^---[ \t]*\r?\n/.test(text)) {
      throw new RenderError(cl.pos(0), 'un chapitre n’a pas de front matter', `titre, thème et options se règlent dans ${lines.file}`);
    }
    files.push(file);
    bodies.push({ lines: expand(cl, file, 0), bodyOffset: 0 });
  }
  return renderBodies(meta, fm.keyPos('title'), bodies, options, warnings, files);
}
export { renderMarkdownFragment } from './fragment.js';
