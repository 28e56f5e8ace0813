/**
 * One body file of a deck (a chapter, or a deck after its front matter) → its slides, cut on
 * `§new` / `§break` / `§notes` like gh-reveal's layout, each vertical slide rendered by marked
 * and its directives applied on the parsed DOM. A body's slides do not depend on the other
 * bodies (whole-deck checks run afterwards), so a BodyCache can keep them between renders:
 * after an edit only the edited chapter is rendered again.
 */
import { parseHTML } from 'linkedom';
import { lexDirectives, splitRaw, type Chunk, type Directive, type LabRef } from './directives.js';
import type { LineMap, RenderWarning, SourcePos } from './errors.js';
import { collectLinkDefinitions, createMarked } from './markdown.js';
import { processSlide } from './dom.js';

export interface BodyFile {
  lines: LineMap;
  bodyOffset: number;
}

export interface BodySlide {
  /** Horizontal index inside the body (0 for the body's first §new section). */
  hi: number;
  v: number;
  lines: LineMap;
  chunk: Chunk;
  section: Element;
  /** section.outerHTML, serialised once. */
  html: string;
  id?: string;
  title: string;
  notes: boolean;
  lab?: LabRef;
  /** Where the slide starts. */
  pos: SourcePos;
  idDirective?: Directive;
}

export interface RenderedBody {
  /** The body's horizontal sections, each a list of vertical slides. */
  horizontals: BodySlide[][];
  warnings: RenderWarning[];
}

/** A slide as rendered, with the warnings its render gave (positions are absolute in its file). */
interface RenderedSlide {
  slide: Omit<BodySlide, 'hi' | 'v' | 'lines' | 'chunk'>;
  warnings: RenderWarning[];
}

/**
 * Rendered bodies kept between renders, keyed by their text: give the same cache to successive
 * renders of a course (the deck's dev server) and only edited bodies are rendered again, and in
 * an edited body only the slides whose text or starting line changed. Call clear() when
 * something else than the Markdown changes what a body renders to (lab files).
 */
export class BodyCache {
  private entries = new Map<string, { text: string; body: RenderedBody }>();
  /** Per body, its slides by `slideKey`; replaced by each render of the body (no growth). */
  private slides = new Map<string, Map<string, RenderedSlide>>();
  /** Bodies found unchanged / rendered again, since the cache was made. */
  hits = 0;
  misses = 0;
  /** Slides of re-rendered bodies found unchanged / rendered again. */
  slideHits = 0;
  slideMisses = 0;

  get(key: string, text: string): RenderedBody | undefined {
    const e = this.entries.get(key);
    if (e && e.text === text) {
      this.hits++;
      return e.body;
    }
    this.misses++;
    return undefined;
  }

  set(key: string, text: string, body: RenderedBody): void {
    this.entries.set(key, { text, body });
  }

  /** The slides kept for the body `key`, and the map its new render fills. */
  slidesOf(key: string): { previous: Map<string, RenderedSlide>; next: Map<string, RenderedSlide> } {
    const previous = this.slides.get(key) ?? new Map<string, RenderedSlide>();
    const next = new Map<string, RenderedSlide>();
    this.slides.set(key, next);
    return { previous, next };
  }

  clear(): void {
    this.entries.clear();
    this.slides.clear();
  }
}

const collapse = (s: string) => s.replace(/[ \t\r\n]+/g, ' ').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

function firstContentOffset(chunk: Chunk): number {
  const m = /\S/.exec(chunk.text);
  return chunk.offset + (m ? m.index : 0);
}

/** Position of the first non-blank character of a slide's source. */
export const slideStart = (lines: LineMap, chunk: Chunk): SourcePos => lines.pos(firstContentOffset(chunk));

export function renderBody(body: BodyFile, lab: ((ref: LabRef) => string | null) | undefined, cache?: BodyCache, key = ''): RenderedBody {
  const { lines } = body;
  const directives: Directive[] = [];
  const warnings: RenderWarning[] = [];
  let currentPos: SourcePos = lines.pos(body.bodyOffset);
  const warn = (pos: SourcePos | null, message: string) => {
    const p = pos ?? currentPos;
    warnings.push({ file: p.file, line: p.line, column: p.column, message });
  };
  const marked = createMarked({ directives, warn });
  let document: Document | undefined;
  const bodyChunk: Chunk = { text: lines.text.slice(body.bodyOffset), offset: body.bodyOffset };
  const linkDefs = collectLinkDefinitions(bodyChunk.text);
  const kept = cache?.slidesOf(key);
  const horizontals: BodySlide[][] = [];
  splitRaw(bodyChunk, '§new').forEach((hChunk, hi) => {
    const verticals: BodySlide[] = [];
    splitRaw(hChunk, '§break').forEach((vChunk, v) => {
      currentPos = slideStart(lines, vChunk);
      // A slide renders the same from the same text at the same place with the same link definitions.
      const start = lines.pos(vChunk.offset);
      const slideKey = `${start.line}:${start.column}\0${linkDefs}\0${vChunk.text}`;
      const found = kept?.previous.get(slideKey);
      if (found && cache) cache.slideHits++;
      else if (cache) cache.slideMisses++;
      const rendered = found ?? renderSlide(vChunk);
      kept?.next.set(slideKey, rendered);
      if (found) warnings.push(...found.warnings);
      verticals.push({ ...rendered.slide, hi, v, lines, chunk: vChunk });
    });
    horizontals.push(verticals);
  });
  return { horizontals, warnings };

  function renderSlide(vChunk: Chunk): RenderedSlide {
    const firstWarning = warnings.length;
    // Directive tokens are indices into `directives`: each slide has its own.
    directives.length = 0;
    const parts = splitRaw(vChunk, '§notes');
    if (parts.length > 2) warn(lines.pos(parts[parts.length - 1]!.offset - '§notes'.length), 'plusieurs §notes dans la diapositive : seul le texte après le dernier est gardé comme notes');
    const content = parts[0]!;
    const notes = parts.length > 1 ? parts[parts.length - 1]! : undefined;
    if (content.text.trim() === '' && !notes) warn(currentPos, 'diapositive vide (deux séparateurs §new/§break qui se suivent ?)');
    const md = lexDirectives(content, lines, directives, warn);
    let html = marked.parse(md + linkDefs, { async: false });
    if (notes && notes.text.trim() !== '') {
      const notesMd = lexDirectives(notes, lines, directives, warn);
      html += `<aside class="notes">\n${marked.parse(notesMd + linkDefs, { async: false })}</aside>\n`;
    }
    document ??= parseHTML('<!doctype html><html><body></body></html>').document;
    const section = document.createElement('section');
    section.innerHTML = html;
    const res = processSlide(section, { directives, ...(lab ? { lab } : {}) });
    const heading = section.querySelector('h1, h2, h3, h4, h5, h6');
    const id = section.getAttribute('id') ?? undefined;
    return {
      slide: {
        section,
        html: section.outerHTML,
        ...(id ? { id } : {}),
        title: heading ? collapse(heading.textContent ?? '') : '',
        notes: section.querySelector('aside.notes') !== null,
        ...(res.lab ? { lab: res.lab } : {}),
        pos: currentPos,
        ...(res.idDirective ? { idDirective: res.idDirective } : {}),
      },
      warnings: warnings.slice(firstWarning),
    };
  }
}
