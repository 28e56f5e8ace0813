// The per-chapter cache of the deck's dev server: after an edit only the edited chapter (or the
// chapter that includes the edited file) is rendered again, and the result is exactly what a
// render without cache gives. The page then receives only the sections that changed.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labRenderer } from '../labs/markup';
import { deckUpdate } from '../deck/hot-update.js';
import { BodyCache, renderCourse, type RenderOptions } from './index.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('BodyCache', () => {
  let dir: string;
  let index: string;
  const options: RenderOptions = { lab: labRenderer(path.join(ROOT, 'labs')) };
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'body-cache-'));
    cpSync(path.join(ROOT, 'slides'), dir, { recursive: true });
    index = path.join(dir, 'index.md');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders only the edited chapter again, with the same result as a full render', () => {
    const cache = new BodyCache();
    const first = renderCourse(index, { ...options, cache });
    const chapters = first.meta.chapters.length;
    expect(cache.misses).toBe(chapters);
    expect(renderCourse(index, { ...options, cache }).html).toBe(first.html);
    expect(cache).toMatchObject({ hits: chapters, misses: chapters });

    const file = path.join(dir, '04-services.md');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('Restreindre les nœuds', 'Restreindre (édité) les nœuds'));
    const edited = renderCourse(index, { ...options, cache });
    expect(cache).toMatchObject({ hits: 2 * chapters - 1, misses: chapters + 1 });
    expect(edited.html).toContain('Restreindre (édité) les nœuds');
    const full = renderCourse(index, options);
    expect(edited.html).toBe(full.html);
    expect(edited.slides).toEqual(full.slides);
    expect(edited.warnings).toEqual(full.warnings);

    // The page gets the edited slide only (section 0 is the title slide), not the whole deck.
    const update = deckUpdate(first, edited);
    const h = first.meta.chapters.indexOf('04-services.md') + 1;
    const v = edited.slideHtml[h]!.findIndex((html) => html.includes('Restreindre (édité) les nœuds'));
    expect(update.total).toBe(chapters + 1);
    expect(update.changed).toEqual([{ index: h, slides: [{ v, html: edited.slideHtml[h]![v] }] }]);
    expect(update.html).toBeUndefined();
    // A new chapter changes the number of sections: the whole deck is sent.
    const grown = { ...edited, sections: [...edited.sections, '<section></section>\n'], slideHtml: [...edited.slideHtml, []], html: `${edited.html}<section></section>\n` };
    expect(deckUpdate(edited, grown)).toMatchObject({ total: chapters + 2, html: grown.html });
    // A slide added to a chapter: that chapter's section is sent whole.
    const more = edited.slideHtml.map((slides, i) => (i === h ? [...slides, '<section>nouvelle</section>'] : slides));
    const sectionsMore = edited.sections.map((s, i) => (i === h ? `${s}x` : s));
    expect(deckUpdate(edited, { ...edited, slideHtml: more, sections: sectionsMore }).changed).toEqual([{ index: h, html: sectionsMore[h] }]);
  });

  it('an edit of an included file renders the chapter that includes it again', () => {
    const chapter = path.join(dir, '10-conclusion.md');
    writeFileSync(path.join(dir, 'inclus.md'), 'Texte inclus, version 1\n');
    writeFileSync(chapter, `${readFileSync(chapter, 'utf8')}\n§break\n\n## Inclus\n\n{% include_relative inclus.md %}\n`);
    const cache = new BodyCache();
    const before = renderCourse(index, { ...options, cache });
    expect(before.files).toContain(path.join(dir, 'inclus.md'));
    writeFileSync(path.join(dir, 'inclus.md'), 'Texte inclus, version 2\n');
    const misses = cache.misses;
    const after = renderCourse(index, { ...options, cache });
    expect(cache.misses).toBe(misses + 1);
    expect(after.html).toContain('Texte inclus, version 2');
    expect(deckUpdate(before, after).changed.map((c) => c.index)).toEqual([before.meta.chapters.indexOf('10-conclusion.md') + 1]);
  });

  it('in an edited chapter, renders again only the edited slide, and every slide after a line added or removed', () => {
    const file = path.join(dir, '06-volumes.md');
    const text = readFileSync(file, 'utf8');
    const cache = new BodyCache();
    renderCourse(index, { ...options, cache });
    const slides = renderCourse(index, options).slides.filter((s) => s.file.endsWith('06-volumes.md')).length;
    expect(slides).toBeGreaterThan(3);

    // Same number of lines: one slide only.
    const firstHeading = /^## .+$/m.exec(text)![0];
    writeFileSync(file, text.replace(firstHeading, `${firstHeading} (édité)`));
    let { slideHits, slideMisses } = cache;
    const edited = renderCourse(index, { ...options, cache });
    expect([cache.slideHits - slideHits, cache.slideMisses - slideMisses]).toEqual([slides - 1, 1]);
    const full = renderCourse(index, options);
    expect(edited.html).toBe(full.html);
    expect(edited.slides).toEqual(full.slides);

    // A line added at the top of the chapter moves every slide: all rendered again, at their new lines,
    // and a slide's warning carries its new position.
    writeFileSync(file, `\n${text}\n§break\n\n§break\n`);
    ({ slideHits, slideMisses } = cache);
    const shifted = renderCourse(index, { ...options, cache });
    expect(cache.slideHits - slideHits).toBe(0);
    const again = renderCourse(index, options);
    expect(shifted.slides).toEqual(again.slides);
    expect(shifted.warnings).toEqual(again.warnings);
    expect(shifted.warnings.some((w) => w.file.endsWith('06-volumes.md') && w.message.startsWith('diapositive vide'))).toBe(true);
    // Unchanged again: the kept slides give back their warnings.
    expect(renderCourse(index, { ...options, cache: new BodyCache() }).warnings).toEqual(again.warnings);
    writeFileSync(file, `\n${text}\n§break\n\n§break\n`.replace(firstHeading, `${firstHeading} (bis)`));
    const warned = renderCourse(index, { ...options, cache });
    expect(warned.warnings).toEqual(renderCourse(index, options).warnings);
    writeFileSync(file, text);
  });
});
