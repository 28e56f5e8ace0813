// The per-chapter cache of the deck's dev server: after an edit only the edited chapter (or the
// chapter that includes the edited file) is rendered again, and the result is exactly what a
// render without cache gives. The page then receives only the sections that changed.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labRenderer } from '../labs/markup';
import { deckUpdate } from '../deck/vite-plugin.js';
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

    // The page gets the edited chapter's section only (index 0 is the title slide).
    const update = deckUpdate(first, edited);
    expect(update.total).toBe(chapters + 1);
    expect(update.changed.map((c) => c.index)).toEqual([first.meta.chapters.indexOf('04-services.md') + 1]);
    expect(update.changed[0]!.html).toContain('Restreindre (édité) les nœuds');
    expect(update.html).toBe(edited.html);
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
});
