/**
 * Golden compatibility: the seed deck "Docker en cluster", rendered by our renderer, must have
 * the structure that gh-reveal's real pipeline (kramdown + Liquid layout + paragraph-markup.js,
 * run for real) produced: test/fixtures/seed/seed-000-reference.json (vendored, see its README).
 *
 * The whole `sections[].slides[]` structure is compared. Texts are compared after normalising
 * only whitespace kinds (space, U+00A0, U+202F, newlines), since our French typography puts
 * no-break spaces where kramdown kept plain ones.
 *
 * Deliberate differences (also in docs/writing-slides.md, "Differences from gh-reveal"):
 * 1. No empty <p> artefacts: gh-reveal cut kramdown's HTML on §new/§break and left directive
 *    paragraphs empty; we drop them, so `emptyParagraphs` is 0 on every slide.
 * 2. No heading auto ids: kramdown's auto ids duplicated slide ids (`sommaire`, `intro`,
 *    `stack` existed twice); the reference's heading ids are not expected.
 * 3. Typed reveal options: `initialization` values keep their YAML type (the original
 *    stringified them); `history: true` is always set, as in the original.
 * 4. The title slide carries class="title-slide" (the original <section> had no attribute).
 * 5. Code is highlighted at build time: <code> also has `hljs language-…` classes (rouge put
 *    its classes on wrapper <div>s), so fragment classes are compared without them.
 * 6. Slide 1/2 holds the author's <script> that fills an empty link with the page URL; the
 *    reference ran it in jsdom, we do not execute scripts when extracting, so that slide's
 *    text preview is compared only up to that link.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEED_DECK as seedPath, SEED_DISPLAY_PATH, SEED_REFERENCE as referencePath } from '../../test/fixtures/seed/paths.js';
import { renderDeck } from './index.js';
import { extractStructure, type StructSlide } from './structure.js';

const ws = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
const isHighlightClass = (c: string) => c === 'hljs' || c.startsWith('language-');
/** Slides whose text the reference took after running the author's <script> (difference 6). */
const SCRIPT_FILLED = new Map([['1/2', 'disponible sur']]);

type RefSlide = any;

function expectedSlide(r: RefSlide) {
  const key = `${r.h}/${r.v ?? '-'}`;
  let preview = ws(r.textPreview);
  const cut = SCRIPT_FILLED.get(key);
  if (cut) preview = preview.slice(0, preview.indexOf(cut) + cut.length);
  return {
    where: key,
    url: r.url,
    id: r.id,
    // Difference 4: the title slide (v null) has class="title-slide".
    sectionAttributes: r.v === null ? { ...r.sectionAttributes, class: 'title-slide' } : r.sectionAttributes,
    heading: r.heading ? { tag: r.heading.tag, text: ws(r.heading.text) } : null,
    // Difference 2: no heading auto ids.
    elementIds: r.elementIds.filter((e: any) => !/^h[1-6]$/.test(e.tag)),
    fragmentCount: r.fragmentCount,
    fragmentSteps: r.fragmentSteps,
    fragments: r.fragments.map((f: any) => ({
      tag: f.tag,
      classes: ws(f.class).split(' ').sort(),
      authoredIndex: f.authoredIndex,
      revealIndex: f.revealIndex,
      inNotes: f.inNotes,
      text: ws(f.text),
    })),
    notes: r.notes.map(ws),
    icons: r.icons.map((i: any) => i.name),
    // §pelement / §element effects other than classes and fragment indices.
    attributes: r.directiveEffects
      .filter((e: any) => e.target !== 'section' && e.set !== 'class' && e.set !== 'data-fragment-index')
      .map((e: any) => ({ target: e.target, attr: e.set, value: e.value })),
    emptyParagraphs: 0, // difference 1
    unprocessedDirectives: r.unprocessedDirectives,
    textPreview: preview,
  };
}

function actualSlide(s: StructSlide) {
  const key = `${s.h}/${s.v ?? '-'}`;
  let preview = ws(s.textPreview);
  const cut = SCRIPT_FILLED.get(key);
  if (cut) preview = preview.slice(0, preview.indexOf(cut) + cut.length);
  return {
    where: key,
    url: s.url,
    id: s.id,
    sectionAttributes: s.sectionAttributes,
    heading: s.heading ? { tag: s.heading.tag, text: ws(s.heading.text) } : null,
    elementIds: s.elementIds,
    fragmentCount: s.fragmentCount,
    fragmentSteps: s.fragmentSteps,
    fragments: s.fragments.map((f) => ({
      tag: f.tag,
      classes: f.classes.filter((c) => !isHighlightClass(c)), // difference 5
      authoredIndex: f.authoredIndex,
      revealIndex: f.revealIndex,
      inNotes: f.inNotes,
      text: ws(f.text),
    })),
    notes: s.notes.map(ws),
    icons: s.icons.map((i) => i.name),
    attributes: s.attributes,
    emptyParagraphs: s.emptyParagraphs,
    unprocessedDirectives: s.unprocessedDirectives,
    textPreview: preview,
  };
}

describe('golden: seed deck vs gh-reveal reference', () => {
  it('finds the vendored seed deck and its reference (test/fixtures/seed/)', () => {
    // Must fail, not skip, when the reference is missing.
    expect(existsSync(referencePath), `missing ${referencePath}`).toBe(true);
    expect(existsSync(seedPath), `missing ${seedPath}`).toBe(true);
  });

  const ref = existsSync(referencePath) ? JSON.parse(readFileSync(referencePath, 'utf8')) : null;
  const result = existsSync(seedPath) ? renderDeck({ path: SEED_DISPLAY_PATH, text: readFileSync(seedPath, 'utf8') }) : null;
  const structure = result ? extractStructure(result.html) : [];

  it('has the same sections and vertical counts', () => {
    expect(ref).not.toBeNull();
    expect(structure.map((s) => s.verticalCount)).toEqual(ref.sections.map((s: any) => s.verticalCount));
    expect(structure.map((s) => s.verticalCount).slice(1)).toEqual([4, 10, 9, 15, 8, 5, 13, 10, 1]);
    expect(ref.totals.horizontalSections).toBe(structure.length);
  });

  it('has the same structure, slide by slide (whole structure compared)', () => {
    expect(ref).not.toBeNull();
    const expected = ref.sections.flatMap((s: any) => s.slides.map(expectedSlide));
    const actual = structure.flatMap((s) => s.slides.map(actualSlide));
    expect(actual).toEqual(expected);
  });

  it('matches the reference totals and summaries', () => {
    expect(ref).not.toBeNull();
    const slides = structure.flatMap((s) => s.slides);
    const t = ref.totals;
    expect(slides.length).toBe(t.verticalSlides);
    expect(slides.reduce((n, s) => n + s.fragmentCount, 0)).toBe(t.fragments);
    expect(slides.reduce((n, s) => n + s.fragmentSteps, 0)).toBe(t.fragmentSteps);
    expect(slides.filter((s) => s.fragmentCount > 0).length).toBe(t.slidesWithFragments);
    expect(slides.reduce((n, s) => n + s.notes.length, 0)).toBe(t.notes);
    expect(slides.reduce((n, s) => n + s.icons.length, 0)).toBe(t.iconsFromDirective + t.iconsRawHtml);
    expect(slides.filter((s) => s.id).map((s) => ({ id: s.id, h: s.h, v: s.v }))).toEqual(t.slideIds);
    // The 10 §pelement targets.
    const targets = slides.flatMap((s) => s.attributes.map((a) => ({ h: s.h, v: s.v, target: a.target, attr: a.attr, value: a.value })));
    expect(targets).toEqual(ref.compact.pelementTargets);
    expect(targets).toHaveLength(10);
    // Difference 2: no duplicate ids at all in our DOM (the reference had 3).
    const allIds = slides.flatMap((s) => [...(s.id ? [s.id] : []), ...s.elementIds.map((e) => e.id)]);
    expect(new Set(allIds).size).toBe(allIds.length);
  });

  it('renders the 5 tables, 4 of them header-less like kramdown', () => {
    // Not in the reference JSON; NOTES.md: "the seed uses header-less tables (4 of 5)".
    const tables = structure.flatMap((s) => s.slides.flatMap((sl) => sl.tables.map((t) => ({ where: `${sl.h}/${sl.v}`, ...t }))));
    expect(tables).toEqual([
      { where: '4/5', headerless: true },
      { where: '4/11', headerless: true },
      { where: '5/1', headerless: false },
      { where: '6/2', headerless: true },
      { where: '7/7', headerless: true },
    ]);
  });

  it('keeps typed reveal options and the front matter (difference 3)', () => {
    expect(result!.meta.title).toBe(ref.frontMatter.title);
    expect(result!.meta.subtitle).toBe(ref.frontMatter.subtitle);
    expect(result!.meta.theme).toBe(ref.frontMatter.theme);
    expect(result!.meta.reveal).toEqual({ ...ref.frontMatter.initialization, history: true });
    expect(result!.slides).toHaveLength(ref.totals.verticalSlides);
  });

  it('warns about every hotlinked image', () => {
    const remote = result!.warnings.filter((w) => w.message.includes('image distante'));
    expect(remote.map((w) => w.line)).toEqual([80, 391, 540, 571, 585, 654, 666]);
  });
});
