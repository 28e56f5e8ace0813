/**
 * Extracts from rendered deck HTML the structure recorded for gh-reveal's output in
 * test/fixtures/seed/seed-000-reference.json (`sections[].slides[]`), so that the two can be
 * compared field by field (see golden.test.ts).
 */
import { parseHTML } from 'linkedom';

export interface StructFragment {
  tag: string;
  /** Class tokens (sorted). */
  classes: string[];
  /** `data-fragment-index` as authored, null when absent. */
  authoredIndex: string | null;
  /** Index reveal.js gives it (sortFragments: explicit indices compacted from 0, others after). */
  revealIndex: number;
  inNotes: boolean;
  /** Text, whitespace collapsed, first 80 characters (as in the reference). */
  text: string;
}

export interface StructSlide {
  h: number;
  /** null for a top-level section with no vertical slides (the title slide). */
  v: number | null;
  url: string;
  id: string | null;
  sectionAttributes: Record<string, string>;
  heading: { tag: string; text: string } | null;
  elementIds: { tag: string; id: string }[];
  fragmentCount: number;
  fragmentSteps: number;
  fragments: StructFragment[];
  notes: string[];
  icons: { name: string }[];
  /**
   * Attributes that Markdown never produces (style, width, height, data-* except the fragment
   * index and code line numbers) on elements inside the slide: the §pelement / §element effects.
   */
  attributes: { target: string; attr: string; value: string }[];
  tables: { headerless: boolean }[];
  emptyParagraphs: number;
  /** Directive text left in the output (`§name`), which must never happen. */
  unprocessedDirectives: string[];
  /** Slide text without notes or scripts, whitespace collapsed, first 100 characters. */
  textPreview: string;
}

export interface StructSection {
  index: number;
  verticalCount: number;
  slides: StructSlide[];
}

const collapse = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
const lower = (el: Element) => el.tagName.toLowerCase();
const IGNORED_DATA = new Set(['data-fragment-index', 'data-line-numbers', 'data-ln-start-from']);

function isInside(el: Element, root: Element, selector: string): boolean {
  for (let p = el.parentElement; p && p !== root; p = p.parentElement) if (p.matches(selector)) return true;
  return false;
}

/** reveal.js sortFragments(): indexed groups (compacted), then un-indexed ones, one step each. */
function revealOrder(fragments: Element[]): { index: Map<Element, number>; steps: number } {
  const ordered: Element[][] = [];
  const unordered: Element[][] = [];
  for (const f of fragments) {
    const a = f.getAttribute('data-fragment-index');
    if (a !== null) {
      const i = parseInt(a, 10);
      (ordered[i] ??= []).push(f);
    } else unordered.push([f]);
  }
  const index = new Map<Element, number>();
  let step = 0;
  for (const group of [...ordered, ...unordered]) {
    if (!Array.isArray(group)) continue; // holes of the sparse array
    for (const f of group) index.set(f, step);
    step++;
  }
  return { index, steps: step };
}

function textWithoutScripts(el: Element): string {
  const clone = el.cloneNode(true) as Element;
  for (const s of clone.querySelectorAll('script, style, aside.notes')) s.remove();
  return collapse(clone.textContent ?? '');
}

function slideStructure(section: Element, h: number, v: number | null): StructSlide {
  const id = section.getAttribute('id');
  const sectionAttributes: Record<string, string> = {};
  for (const a of Array.from(section.attributes)) sectionAttributes[a.name] = a.value;
  const heading = section.querySelector('h1, h2, h3, h4, h5, h6');
  const elementIds = [...section.querySelectorAll('[id]')].map((e) => ({ tag: lower(e), id: e.getAttribute('id')! }));
  const fragEls = [...section.querySelectorAll('.fragment')];
  const { index, steps } = revealOrder(fragEls);
  const fragments = fragEls.map((f) => ({
    tag: lower(f),
    classes: (f.getAttribute('class') ?? '').split(/\s+/).filter(Boolean).sort(),
    authoredIndex: f.getAttribute('data-fragment-index'),
    revealIndex: index.get(f)!,
    inNotes: isInside(f, section, 'aside.notes'),
    text: collapse(f.textContent ?? '').slice(0, 80),
  }));
  const notes = [...section.querySelectorAll('aside.notes')].map((n) => collapse(n.textContent ?? ''));
  const icons = [...section.querySelectorAll('i.fa')]
    .map((i) => (i.getAttribute('class') ?? '').split(/\s+/).find((c) => c.startsWith('fa-')))
    .filter((n): n is string => n !== undefined)
    .map((name) => ({ name }));
  const attributes: StructSlide['attributes'] = [];
  for (const el of section.querySelectorAll('*')) {
    for (const a of Array.from(el.attributes)) {
      const n = a.name;
      if (n === 'style' || n === 'width' || n === 'height' || (n.startsWith('data-') && !IGNORED_DATA.has(n))) {
        attributes.push({ target: lower(el), attr: n, value: a.value });
      }
    }
  }
  const tables = [...section.querySelectorAll('table')].map((t) => ({ headerless: t.querySelector('thead') === null }));
  const emptyParagraphs = [...section.querySelectorAll('p')].filter((p) => p.children.length === 0 && collapse(p.textContent ?? '') === '').length;
  const unprocessedDirectives = [...(section.textContent ?? '').matchAll(/§[A-Za-z]+[^\s§]*(?:§;)?/g)].map((m) => m[0]);
  const url = id ? `#/${id}` : v === null || v === 0 ? (h === 0 ? '#/' : `#/${h}`) : `#/${h}/${v}`;
  return {
    h,
    v,
    url,
    id,
    sectionAttributes,
    heading: heading ? { tag: lower(heading), text: collapse(heading.textContent ?? '') } : null,
    elementIds,
    fragmentCount: fragEls.length,
    fragmentSteps: steps,
    fragments,
    notes,
    icons,
    attributes,
    tables,
    emptyParagraphs,
    unprocessedDirectives,
    textPreview: textWithoutScripts(section).slice(0, 100),
  };
}

/** The structure of the `<section>`s that go inside `<div class="slides">`. */
export function extractStructure(html: string): StructSection[] {
  const { document } = parseHTML(`<!doctype html><html><body><div class="slides">${html}</div></body></html>`);
  const root = document.querySelector('div.slides')!;
  const sections: StructSection[] = [];
  [...root.children].forEach((top, h) => {
    if (top.tagName !== 'SECTION') return;
    const verticals = [...top.children].filter((c) => c.tagName === 'SECTION');
    if (verticals.length === 0) {
      sections.push({ index: h, verticalCount: 0, slides: [slideStructure(top, h, null)] });
    } else {
      sections.push({ index: h, verticalCount: verticals.length, slides: verticals.map((s, v) => slideStructure(s, h, v)) });
    }
  });
  return sections;
}
