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

/**
 * Rendered bodies kept between renders, keyed by their text: give the same cache to successive
 * renders of a course (the deck's dev server) and only edited bodies are rendered again. Call
 * clear() when something else than the Markdown changes what a body renders to (lab files).
 */
export class BodyCache {
  private entries = new Map<string, { text: string; body: RenderedBody }>();
  /** Bodies found unchanged / rendered again, since the cache was made. */
  hits = 0;
  misses = 0;

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

  clear(): void {
    this.entries.clear();
  }
}

const collapse = (s: string) => s.replace(/[ \t\r\n]+/g, ' ').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

function firstContentOffset(chunk: Chunk): number {
  const m = /\S/.exec(chunk.text);
  return chunk.offset + (m ? m.index : 0);
}

/** Position of the first non-blank character of a slide's source. */
export const slideStart = (lines: LineMap, chunk: Chunk): SourcePos => lines.pos(firstContentOffset(chunk));

export function renderBody(body: BodyFile, lab: ((ref: LabRef) => string | null) | undefined): RenderedBody {
  const { lines } = body;
  const directives: Directive[] = [];
  const warnings: RenderWarning[] = [];
  let currentPos: SourcePos = lines.pos(body.bodyOffset);
  const warn = (pos: SourcePos | null, message: string) => {
    const p = pos ?? currentPos;
    warnings.push({ file: p.file, line: p.line, column: p.column, message });
  };
  const marked = createMarked({ directives, warn });
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const bodyChunk: Chunk = { text: lines.text.slice(body.bodyOffset), offset: body.bodyOffset };
  const linkDefs = collectLinkDefinitions(bodyChunk.text);
  const horizontals: BodySlide[][] = [];
  splitRaw(bodyChunk, '§new').forEach((hChunk, hi) => {
    const verticals: BodySlide[] = [];
    splitRaw(hChunk, '§break').forEach((vChunk, v) => {
      currentPos = slideStart(lines, vChunk);
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
      const section = document.createElement('section');
      section.innerHTML = html;
      const res = processSlide(section, { directives, ...(lab ? { lab } : {}) });
      const heading = section.querySelector('h1, h2, h3, h4, h5, h6');
      const id = section.getAttribute('id') ?? undefined;
      verticals.push({
        hi,
        v,
        lines,
        chunk: vChunk,
        section,
        html: section.outerHTML,
        ...(id ? { id } : {}),
        title: heading ? collapse(heading.textContent ?? '') : '',
        notes: section.querySelector('aside.notes') !== null,
        ...(res.lab ? { lab: res.lab } : {}),
        pos: currentPos,
        ...(res.idDirective ? { idDirective: res.idDirective } : {}),
      });
    });
    horizontals.push(verticals);
  });
  return { horizontals, warnings };
}
