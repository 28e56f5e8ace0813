// The original seed deck, rendered to one standalone file by the render CLI, in Chromium:
// the only requests leaving the local server are the seed's hotlinked images (aborted here),
// every fragment appears in the order the original pipeline gives (revealIndex of
// test/fixtures/seed/seed-000-reference.json), ids land on the reference slides, and both notes are there.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../server/http/static';
import { chromiumOrSkip, launchChromium, type ChromiumSession } from './chromium';
import { SEED_DECK as SEED, SEED_REFERENCE as REFERENCE } from './fixtures/seed/paths';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

interface RefFragment {
  tag: string;
  authoredIndex: string | null;
  revealIndex: number;
  inNotes: boolean;
  text: string;
}
interface RefSlide {
  h: number;
  v: number | null;
  id: string | null;
  fragments: RefFragment[];
  notes: string[];
}
interface Reference {
  sections: { slides: RefSlide[] }[];
  totals: { slideIds: { id: string; h: number; v: number }[]; notes: number; slidesWithFragments: number };
}

const hasChromium = chromiumOrSkip('seed.e2e');

/** Remote image URLs of the seed source (Markdown images and <img> tags). */
function remoteImages(markdown: string): string[] {
  const urls = new Set<string>();
  for (const m of markdown.matchAll(/!\[[^\]]*\]\(\s*(https?:\/\/[^\s)]+)/g)) urls.add(new URL(m[1]!).href);
  for (const m of markdown.matchAll(/<img[^>]*\ssrc=["'](https?:\/\/[^"']+)["']/g)) urls.add(new URL(m[1]!).href);
  return [...urls].sort();
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe.skipIf(!hasChromium)('deck d’origine (seed 000) rendu par la CLI, dans Chromium', () => {
  let tmp: string;
  let server: StaticServer;
  let browser: ChromiumSession;
  let page: Page;
  let reference: Reference;

  beforeAll(async () => {
    if (!existsSync(REFERENCE)) throw new Error(`référence absente : ${REFERENCE}`);
    if (!existsSync(SEED)) throw new Error(`seed absent : ${SEED}`);
    reference = JSON.parse(readFileSync(REFERENCE, 'utf8')) as Reference;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'deck-seed-'));
    await run('npx', ['tsx', 'src/render/cli.ts', SEED, '-o', path.join(tmp, 'seed.html')], { cwd: ROOT, timeout: 120_000 });
    server = await startStaticServer(tmp);
    browser = await launchChromium({ blockOutside: server.url });
    page = await browser.newPage();
    await page.goto(`${server.url}seed.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.Reveal?.isReady() === true);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('seules les images distantes du seed sortent du serveur local (et sont bloquées)', async () => {
    const expected = remoteImages(readFileSync(SEED, 'utf8'));
    expect(expected.length).toBeGreaterThan(3);
    // Images of far slides load too (no lazy loading): wait until every <img> settled.
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    const outside = [...new Set(browser.outsideRequests(server.url).map((u) => new URL(u).href))].sort();
    expect(outside).toEqual(expected);
    expect([...new Set(browser.blocked.map((u) => new URL(u).href))].sort()).toEqual(expected);
    expect(browser.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it('chaque diapositive à fragments les révèle dans l’ordre revealIndex de la référence', async () => {
    const slides = reference.sections.flatMap((s) => s.slides).filter((s) => s.fragments.some((f) => !f.inNotes));
    expect(slides.length).toBe(reference.totals.slidesWithFragments);
    for (const ref of slides) {
      const where = `diapositive ${ref.h}/${ref.v ?? '-'}`;
      const frags = ref.fragments.filter((f) => !f.inNotes);
      // Expected steps: positions (DOM order) grouped by revealIndex, ascending.
      const byStep = new Map<number, number[]>();
      frags.forEach((f, i) => byStep.set(f.revealIndex, [...(byStep.get(f.revealIndex) ?? []), i]));
      const expected = [...byStep.keys()].sort((a, b) => a - b).map((k) => byStep.get(k)!);

      const got = await page.evaluate(
        ({ h, v }) => {
          const deck = window.Reveal!;
          deck.slide(h, v, -1);
          const slide = deck.getCurrentSlide();
          const list = [...slide.querySelectorAll('.fragment')].filter((f) => !f.closest('aside.notes'));
          const tags = list.map((f) => f.tagName.toLowerCase());
          const visible = (): Set<number> => new Set(list.flatMap((f, i) => (f.classList.contains('visible') ? [i] : [])));
          const steps: number[][] = [];
          const start = visible().size;
          for (let guard = 0; guard <= list.length; guard++) {
            const before = visible();
            deck.next();
            if (deck.getCurrentSlide() !== slide) break;
            steps.push([...visible()].filter((i) => !before.has(i)).sort((a, b) => a - b));
          }
          return { tags, steps, start, indices: deck.getIndices(slide) };
        },
        { h: ref.h, v: ref.v ?? 0 },
      );
      expect(got.indices, where).toMatchObject({ h: ref.h, v: ref.v ?? 0 });
      expect(got.start, `${where} : fragments visibles avant le premier pas`).toBe(0);
      expect(got.tags, where).toEqual(frags.map((f) => f.tag));
      expect(got.steps, where).toEqual(expected);
    }
  });

  it('les ids mènent aux diapositives de la référence', async () => {
    for (const { id, h, v } of reference.totals.slideIds) {
      await page.evaluate((hash) => (location.hash = hash), `#/${id}`);
      await page.waitForFunction(({ h, v }) => {
        const i = window.Reveal!.getIndices();
        return i.h === h && i.v === v;
      }, { h, v }, { timeout: 5_000 });
    }
  });

  it('les deux notes du seed sont sur leurs diapositives', async () => {
    const withNotes = reference.sections.flatMap((s) => s.slides).filter((s) => s.notes.length > 0);
    expect(withNotes.length).toBe(reference.totals.notes);
    expect(withNotes.length).toBe(2);
    for (const ref of withNotes) {
      const notes = await page.evaluate(({ h, v }) => {
        window.Reveal!.slide(h, v);
        const html = window.Reveal!.getSlideNotes() ?? '';
        const div = document.createElement('div');
        div.innerHTML = html;
        return div.textContent ?? '';
      }, { h: ref.h, v: ref.v ?? 0 });
      expect(norm(notes), `notes ${ref.h}/${ref.v}`).toBe(norm(ref.notes.join(' ')));
    }
    // And no other slide has notes.
    const others = await page.evaluate(() => window.Reveal!.getSlides().filter((s) => window.Reveal!.getSlideNotes(s)).length);
    expect(others).toBe(2);
  });
});
