// The speaker view (reveal's notes plugin, key S) speaks French: its window, served by the
// deck's Vite dev server, shows French labels, a French layout menu and a 24-hour clock, and
// connects to the deck (the current slide's notes appear). A small course keeps the three
// copies of the deck the speaker view loads (itself and two previews) quick.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createServer, mergeConfig, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deckViteConfig } from '../src/deck/build';
import { chromiumOrSkip, launchChromium, type ChromiumSession } from './chromium';

const hasChromium = chromiumOrSkip('speaker view in French');

/** What a speaker window shows, read from its DOM. */
async function speakerLabels(view: Page) {
  await view.waitForFunction(() => document.querySelector('.speaker-layout-dropdown option') !== null);
  return view.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    upcoming: document.querySelector('#upcoming-slide .label')?.textContent,
    time: document.querySelector('.speaker-controls-time > .label')?.textContent?.replace(/\s+/g, ' ').trim(),
    pacing: document.querySelector('.pacing-title')?.textContent,
    notes: document.querySelector('.speaker-controls-notes .label')?.textContent,
    layouts: [...document.querySelectorAll('.speaker-layout-dropdown option')].map((o) => o.textContent),
    layoutLabel: document.querySelector('.speaker-layout-label')?.textContent,
    text: document.body.innerText,
  }));
}

describe.skipIf(!hasChromium)('vue présentateur en français', () => {
  let server: ViteDevServer;
  let browser: ChromiumSession;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'speaker-view-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.md'), '---\ntitle: Vue présentateur\nchapters:\n  - un.md\n---\n');
    writeFileSync(path.join(dir, 'un.md'), '## Première\n\nTexte\n\n§notes\nNote de la première diapositive\n\n§break\n\n## Seconde\n\nSuite\n');
    server = await createServer(
      mergeConfig(deckViteConfig({ index: path.join(dir, 'index.md'), watch: [dir] }), {
        configFile: false,
        logLevel: 'warn',
        server: { port: 0, host: '127.0.0.1' },
        optimizeDeps: { noDiscovery: true, include: [] },
      }),
    );
    await server.listen();
    base = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}/`;
    browser = await launchChromium({ blockOutside: base });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('la touche S ouvre une vue présentateur aux libellés français, reliée au diaporama', { timeout: 300_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(`${base}#/`);
    await page.waitForFunction(() => window.__deckReady === true, undefined, { timeout: 120_000 });
    // A slide with speaker notes.
    const withNotes = await page.evaluate(() => {
      const deck = window.Reveal!;
      const slide = deck.getSlides().find((s) => deck.getSlideNotes(s));
      if (!slide) return null;
      const { h, v } = deck.getIndices(slide);
      deck.slide(h, v);
      const notes = document.createElement('div');
      notes.innerHTML = deck.getSlideNotes(slide) ?? '';
      return (notes.textContent ?? '').replace(/\s+/g, ' ').trim();
    });
    expect(withNotes).toBe('Note de la première diapositive');
    const [view] = await Promise.all([browser.context.waitForEvent('page'), page.keyboard.press('s')]);
    const labels = await speakerLabels(view);
    expect(labels).toMatchObject({
      lang: 'fr',
      title: 'Vue présentateur',
      upcoming: 'À suivre',
      time: 'Temps Cliquer pour remettre à zéro',
      pacing: 'Rythme – temps restant pour cette diapositive',
      notes: 'Notes',
      layouts: ['Par défaut', 'Large', 'Haute', 'Notes seules'],
      layoutLabel: 'Disposition\u00a0: Par défaut',
    });
    for (const english of ['Upcoming', 'Click to Reset', 'Speaker View', 'Layout', 'Loading speaker view', 'AM', 'PM']) {
      expect(labels.text, english).not.toContain(english);
    }
    // A 24-hour clock, and connected to the deck: the current slide's notes show.
    await view.waitForFunction(() => /^\d{2}:\d{2}$/.test(document.querySelector('.clock-value')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await view
      .waitForFunction((n) => document.querySelector('.speaker-controls-notes .value')?.textContent?.replace(/\s+/g, ' ').includes(n), withNotes!, { timeout: 180_000 })
      .catch(async (e: unknown) => {
        const state = await view.evaluate(() => ({
          status: document.querySelector('#connection-status')?.textContent,
          frames: [...document.querySelectorAll('iframe')].map((f) => f.src),
        }));
        throw new Error(`${(e as Error).message}: ${JSON.stringify(state)} ${browser.consoleErrors.join(' | ')}`);
      });
    await view.close();
    expect(browser.outsideRequests(base)).toEqual([]);
  });
});
