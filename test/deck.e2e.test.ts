// The built course in a real Chromium: fragments order, notes, deep links, images, and nothing
// loaded from outside the local server.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../server/http/static';
import { buildDeck } from '../src/deck/build';
import { chromiumOrSkip, launchChromium, type ChromiumSession } from './chromium';

const hasChromium = chromiumOrSkip('deck.e2e');

function dirSize(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? dirSize(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size),
    0,
  );
}

/** Waits for reveal and returns its indices. */
async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.__deckReady === true);
}

/**
 * The fragments of a slide, grouped in the order reveal shows them, computed from the HTML as
 * served (before reveal rewrites indices): explicit data-fragment-index values grouped and
 * compacted from 0, fragments without index after them, one step each, in DOM order.
 * Returns positions in the slide's `.fragment` list.
 */
async function expectedFragmentSteps(page: Page, slideSelector: string): Promise<number[][]> {
  return page.evaluate(async (sel) => {
    const html = await (await fetch(location.pathname)).text();
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const slide = doc.querySelector(sel);
    if (!slide) throw new Error(`${sel} absent du HTML servi`);
    const frags = [...slide.querySelectorAll('.fragment')];
    const byIndex = new Map<number, number[]>();
    const unindexed: number[][] = [];
    frags.forEach((f, i) => {
      const raw = f.getAttribute('data-fragment-index');
      if (raw !== null && raw.trim() !== '' && !Number.isNaN(Number(raw))) {
        const k = Number(raw);
        byIndex.set(k, [...(byIndex.get(k) ?? []), i]);
      } else unindexed.push([i]);
    });
    const explicit = [...byIndex.keys()].sort((a, b) => a - b).map((k) => byIndex.get(k)!);
    return [...explicit, ...unindexed];
  }, slideSelector);
}

/** Steps with Reveal.next() through the current slide's fragments; returns what each step revealed. */
async function stepFragments(page: Page): Promise<{ steps: number[][]; leftSlide: boolean }> {
  return page.evaluate(() => {
    const deck = window.Reveal!;
    const slide = deck.getCurrentSlide();
    const frags = [...slide.querySelectorAll('.fragment')];
    const visible = (): Set<number> => new Set(frags.flatMap((f, i) => (f.classList.contains('visible') ? [i] : [])));
    if (visible().size !== 0) throw new Error('des fragments sont visibles avant le premier pas');
    const steps: number[][] = [];
    for (let guard = 0; guard < frags.length + 1; guard++) {
      const before = visible();
      deck.next();
      if (deck.getCurrentSlide() !== slide) return { steps, leftSlide: true };
      steps.push([...visible()].filter((i) => !before.has(i)).sort((a, b) => a - b));
    }
    return { steps, leftSlide: false };
  });
}

describe.skipIf(!hasChromium)('le diaporama construit, dans Chromium', () => {
  let outDir: string;
  let server: StaticServer;
  let browser: ChromiumSession;
  let page: Page;

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(os.tmpdir(), 'deck-build-'));
    const t0 = performance.now();
    await buildDeck(outDir);
    console.log(`[deck.e2e] build : ${(performance.now() - t0).toFixed(0)} ms, ${(dirSize(outDir) / 1024).toFixed(0)} Kio dans ${outDir}`);
    server = await startStaticServer(outDir);
    browser = await launchChromium({ blockOutside: server.url });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('#/placement : les fragments apparaissent dans l’ordre de reveal (index explicites compactés, puis ordre du DOM)', async () => {
    await open(page, `${server.url}#/placement`);
    expect(await page.evaluate(() => window.Reveal!.getCurrentSlide().id)).toBe('placement');
    const expected = await expectedFragmentSteps(page, 'section#placement');
    expect(expected.length).toBeGreaterThan(1);
    // The course orders this slide explicitly, not in DOM order: otherwise this test proves little.
    expect(expected.flat()).not.toEqual([...expected.flat()].sort((a, b) => a - b));
    const { steps, leftSlide } = await stepFragments(page);
    expect(steps).toEqual(expected);
    expect(leftSlide).toBe(true);
  });

  it('chaque diapositive à fragments les révèle dans l’ordre de reveal', async () => {
    await open(page, `${server.url}#/`);
    const slides = await page.evaluate(() =>
      window.Reveal!.getSlides().flatMap((s, n) => (s.querySelector('.fragment') ? [{ n, ...window.Reveal!.getIndices(s) }] : [])),
    );
    expect(slides.length).toBeGreaterThan(3);
    for (const s of slides) {
      await page.evaluate(({ h, v }) => window.Reveal!.slide(h, v, -1), s);
      const sel = `.slides > section:nth-child(${s.h + 1})${(await page.evaluate(() => window.Reveal!.isVerticalSlide())) ? ` > section:nth-child(${s.v + 1})` : ''}`;
      const expected = await expectedFragmentSteps(page, sel);
      const { steps } = await stepFragments(page);
      expect(steps, `diapositive ${s.h}/${s.v}`).toEqual(expected);
    }
  });

  it('stack : la deuxième diapositive verticale a les notes du cours', async () => {
    await open(page, `${server.url}#/stack`);
    const first = await page.evaluate(() => ({ id: window.Reveal!.getCurrentSlide().id, ...window.Reveal!.getIndices() }));
    expect(first.id).toBe('stack');
    await page.evaluate(() => window.Reveal!.down());
    const second = await page.evaluate(() => ({ ...window.Reveal!.getIndices(), notes: window.Reveal!.getSlideNotes(), hash: location.hash }));
    expect(second.h).toBe(first.h);
    expect(second.v).toBe(first.v + 1);
    expect(second.hash).toBe(`#/${first.h}/${first.v + 1}`);
    const source = await page.evaluate(async (v) => {
      const doc = new DOMParser().parseFromString(await (await fetch(location.pathname)).text(), 'text/html');
      const stack = doc.getElementById('stack')!.parentElement!;
      return stack.querySelectorAll(':scope > section')[v]!.querySelector('aside.notes')!.innerHTML.trim();
    }, second.v);
    expect(second.notes?.trim()).toBe(source);
    expect(second.notes!.length).toBeGreaterThan(20);
    // The deep link of that slide works from a fresh load too.
    await open(page, `${server.url}#/${second.h}/${second.v}`);
    expect(await page.evaluate(() => window.Reveal!.getSlideNotes()?.trim())).toBe(source);
  });

  it('les liens internes #/id mènent tous à une diapositive, et un clic y navigue', async () => {
    await open(page, `${server.url}#/sommaire`);
    const links = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLAnchorElement>('.reveal .slides a[href^="#"]')].map((a) => {
        const hash = a.getAttribute('href')!;
        const name = decodeURIComponent(hash.replace(/^#\/?/, '').split('/')[0] ?? '');
        const deck = window.Reveal!;
        let ok = false;
        if (/^\d+$/.test(name)) {
          const parts = hash.replace(/^#\/?/, '').split('/').map(Number);
          ok = !!deck.getSlide(parts[0]!, parts[1] ?? 0);
        } else if (name) ok = !!document.getElementById(name)?.closest('.slides section');
        return { hash, ok };
      }),
    );
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((l) => !l.ok)).toEqual([]);
    const target = await page.evaluate(() => {
      const a = document.querySelector<HTMLAnchorElement>('section#sommaire a[href^="#/"]');
      return a?.getAttribute('href')?.slice(2) ?? null;
    });
    expect(target).toBeTruthy();
    await page.click(`section#sommaire a[href="#/${target}"]`);
    await page.waitForFunction((id) => window.Reveal!.getCurrentSlide().id === id, target);
  });

  it('toutes les images se chargent', async () => {
    await open(page, `${server.url}#/`);
    const imgs = await page.evaluate(async () => {
      const all = [...document.querySelectorAll<HTMLImageElement>('.reveal img')];
      await Promise.all(all.map((i) => i.decode().catch(() => undefined)));
      return all.map((i) => ({ src: i.getAttribute('src'), w: i.naturalWidth }));
    });
    expect(imgs.length).toBeGreaterThan(0);
    expect(imgs.filter((i) => !(i.w > 0))).toEqual([]);
  });

  it('libellés en français, titre et langue du front matter', async () => {
    await open(page, `${server.url}#/`);
    const info = await page.evaluate(() => ({
      title: document.title,
      lang: document.documentElement.lang,
      next: document.querySelector('.reveal .controls .navigate-right')?.getAttribute('aria-label'),
      number: document.querySelector('.reveal .slide-number')?.getAttribute('aria-label'),
    }));
    expect(info).toEqual({ title: 'Docker en cluster', lang: 'fr', next: 'Diapositive suivante', number: expect.stringMatching(/^Diapositive 1 sur \d+$/) });
  });

  it('prefers-reduced-motion : pas de transition', async () => {
    const p = await browser.newPage();
    await p.emulateMedia({ reducedMotion: 'reduce' });
    await open(p, `${server.url}#/placement`);
    const reduced = await p.evaluate(() => ({ t: window.Reveal!.getConfig().transition, b: window.Reveal!.getConfig().backgroundTransition }));
    await p.close();
    expect(reduced).toEqual({ t: 'none', b: 'none' });
    const normal = await page.evaluate(() => window.Reveal!.getConfig().transition);
    expect(normal).not.toBe('none');
  });

  it('parcourt chaque diapositive : aucune directive brute, aucune image manquante, aucun lien interne cassé', async () => {
    await open(page, `${server.url}#/`);
    const total = await page.evaluate(() => window.Reveal!.getTotalSlides());
    expect(total).toBeGreaterThan(100);
    const problems: string[] = [];
    for (let i = 0; i < total; i++) {
      // Visit slide i in reading order, as a presenter would.
      const found = await page.evaluate(async (index) => {
        const deck = window.Reveal!;
        const slide = deck.getSlides()[index]!;
        const { h, v } = deck.getIndices(slide);
        deck.slide(h, v ?? 0);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const current = deck.getCurrentSlide();
        const where = `${h}/${v ?? 0} ${current.querySelector('h1, h2, h3')?.textContent ?? ''}`;
        const out: string[] = [];
        if (current !== slide) out.push(`${where}: navigation went elsewhere`);
        const text = current.cloneNode(true) as HTMLElement;
        text.querySelectorAll('aside.notes').forEach((n) => n.remove());
        const raw = /§(new|break|notes|id|slide|fragment|icon|element|pelement|lab)\b/.exec(text.textContent ?? '');
        if (raw) out.push(`${where}: directive brute « ${raw[0]} »`);
        for (const img of current.querySelectorAll('img')) {
          await img.decode().catch(() => undefined);
          if (!(img.naturalWidth > 0)) out.push(`${where}: image manquante ${img.getAttribute('src')}`);
        }
        for (const a of current.querySelectorAll('a[href^="#"]')) {
          const id = decodeURIComponent((a.getAttribute('href') ?? '').replace(/^#\/?/, '').split('/')[0] ?? '');
          if (id && !/^\d+$/.test(id) && !document.getElementById(id)) out.push(`${where}: lien cassé ${a.getAttribute('href')}`);
        }
        return out;
      }, i);
      problems.push(...found);
    }
    expect(problems).toEqual([]);
  });

  it('aucune erreur dans la console, aucune requête hors du serveur local', () => {
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.outsideRequests(server.url)).toEqual([]);
    expect(browser.requests.length).toBeGreaterThan(3);
  });
});
