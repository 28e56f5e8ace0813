// The lab slide of the BUILT deck on a plain static server (no lab server): the self-paced
// mode (notice, commands with a working copy button, what the checker verifies, hints, the
// solution, the replay of the recorded solution), one quiet probe of api/session (the build
// ships a static `{"static":true}` answer), no failed request, no console error; everything
// inside the slide; no serious accessibility violation (axe-core) on it, the title slide and a
// content slide.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeck } from '../src/deck/build';
import { startStaticServer, type StaticServer } from '../server/http/static';
import { axeViolations } from './axe';
import { chromiumOrSkip, launchChromium, type ChromiumSession } from './chromium';

const hasChromium = chromiumOrSkip('lab-static.e2e');

describe.skipIf(!hasChromium)('lab slide of the built deck without a lab server (Chromium)', () => {
  let outDir: string;
  let server: StaticServer;
  let origin: string;
  let browser: ChromiumSession;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'dec-lab-static-'));
    await buildDeck(outDir);
    server = await startStaticServer(outDir, '/');
    origin = new URL(server.url).origin;
    browser = await launchChromium({ viewport: { width: 1280, height: 800 }, blockOutside: origin });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('shows the self-paced lab: notice, copy, criteria, hints, solution; a quiet probe', async () => {
    const page = await browser.newPage();
    const errors: { text: string; url: string }[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push({ text: m.text(), url: m.location().url });
    });
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${origin}/#/lab-services-replicas`);
    await page.waitForSelector('.lab.lab-self-paced', { timeout: 60_000 });
    if (process.env.LAB_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.LAB_SCREENSHOTS, 'static.png') });

    // The notice, in the terminal's place, and the slot for recorded replays.
    const notice = page.locator('.lab-notice-offline');
    expect(await notice.textContent()).toBe(
      'Pas de serveur de TP\u00a0: lancez npm start pour un terminal et la vérification, ou suivez le TP dans votre propre terminal avec les commandes ci-contre.',
    );
    expect(await notice.locator('code').textContent()).toBe('npm start');
    expect(await page.locator('.lab-terminal-slot .lab-replay-slot').getAttribute('data-exercise')).toBe('create');
    expect(await page.locator('.lab-term-overlay').count()).toBe(0);

    // One exercise at a time, what the checker verifies, hints collapsed.
    expect(await page.locator('.lab-step-label').textContent()).toBe('Exercice 1/2');
    const current = page.locator('.lab-exercise.lab-current');
    expect(await current.getAttribute('data-exercise')).toBe('create');
    expect(await current.locator('.lab-criterion').allTextContents()).toEqual([
      'Ce que vérifie le correcteur\u00a0: le service web · mode répliqué · image nginx:alpine',
      'Ce que vérifie le correcteur\u00a0: les tâches de web · 1\u00a0tâche en cours',
    ]);
    const hints = current.locator('.lab-condition[data-index="0"] details.lab-hints-details');
    expect(await hints.locator('summary').textContent()).toBe('Indices (2)');
    expect(await hints.locator('li').first().isVisible()).toBe(false);
    await hints.locator('summary').click();
    expect(await hints.locator('li').first().isVisible()).toBe(true);

    // The copy button puts the exact command in the clipboard.
    const block = current.locator('figure.lab-command', { hasText: 'docker service create' }).first();
    await block.getByRole('button', { name: 'Copier la commande' }).click();
    await expect.poll(() => block.locator('.lab-copy').textContent()).toBe('Copié\u202f!');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('docker service create --name web --detach nginx:alpine');

    // The solution is there, folded; the next exercise is one click away.
    const solution = current.locator('details.lab-solution');
    expect(await solution.locator('summary').textContent()).toBe('Solution');
    expect(await solution.getAttribute('open')).toBeNull();
    await page.getByRole('button', { name: 'Exercice suivant' }).click();
    expect(await page.locator('.lab-exercise.lab-current').getAttribute('data-exercise')).toBe('scale');
    expect(await page.locator('.lab-step-label').textContent()).toBe('Exercice 2/2');

    // Everything stays inside the slide at reveal's size: no element of the lab outside the slide
    // box, no container whose content overflows it; the exercise list (the part that may scroll)
    // holds this exercise without scrolling.
    await page.getByRole('button', { name: 'Exercice précédent' }).click();
    const measure = () => page.evaluate(() => {
      const section = document.querySelector<HTMLElement>('section#lab-services-replicas')!;
      const slide = document.querySelector<HTMLElement>('.reveal .slides')!.getBoundingClientRect();
      const describe = (e: Element) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`;
      const clips = (e: Element) => /(auto|scroll|hidden|clip)/.test(getComputedStyle(e).overflowY + getComputedStyle(e).overflowX);
      const outside: string[] = [];
      const overflowing: string[] = [];
      for (const e of section.querySelectorAll<HTMLElement>('.lab, .lab *')) {
        const r = e.getBoundingClientRect();
        if (!e.checkVisibility({ visibilityProperty: true }) || (r.width === 0 && r.height === 0)) continue; // not rendered (a closed <details>)
        // Inside a scrolling or clipping container, the container is what must stay in the slide.
        let clipped = false;
        for (let p = e.parentElement; p && p !== section; p = p.parentElement) if (clips(p)) clipped = true;
        if (!clipped && (r.left < slide.left - 1 || r.top < slide.top - 1 || r.right > slide.right + 1 || r.bottom > slide.bottom + 1)) {
          outside.push(`${describe(e)} ${JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round))}`);
        }
        // A container that does not scroll must hold its content.
        if (!clips(e) && e.scrollHeight > e.clientHeight + 1 && e.clientHeight > 0 && getComputedStyle(e).display !== 'inline') {
          overflowing.push(`${describe(e)} ${e.scrollHeight} > ${e.clientHeight}`);
        }
      }
      const list = section.querySelector<HTMLElement>('.lab-exercises')!;
      return {
        slide: [slide.width, slide.height].map(Math.round),
        lab: section.querySelector<HTMLElement>('.lab')!.getBoundingClientRect().height,
        outside,
        overflowing,
        list: { scroll: list.scrollHeight, client: list.clientHeight },
      };
    });
    const layout = await measure();
    expect(layout.slide).toEqual([Math.round(960 * 1.1), Math.round(700 * 1.1)]); // reveal's scale at 1280×800
    expect(layout.outside).toEqual([]);
    expect(layout.overflowing).toEqual([]);
    expect(layout.list.scroll).toBeLessThanOrEqual(layout.list.client + 1);
    // « Utiliser mon serveur de TP » opened: its form stays inside the slide too.
    await page.locator('.lab-remote > summary').click();
    expect(await page.locator('.lab-remote-input').isVisible()).toBe(true);
    const opened = await measure();
    expect(opened.outside).toEqual([]);
    expect(opened.overflowing).toEqual([]);
    await page.locator('.lab-remote > summary').click();

    // Accessibility (axe-core): no serious or critical violation on the self-paced lab slide…
    expect(await axeViolations(page)).toEqual([]);
    // … nor on the title slide and a content slide.
    for (const hash of ['#/', '#/1']) {
      await page.goto(`${origin}/${hash}`);
      await page.waitForFunction(() => window.__deckReady === true);
      expect(await axeViolations(page), hash).toEqual([]);
    }

    // The probe got the build's static api/session file: no failed request, nothing logged.
    expect(browser.requests.filter((u) => new URL(u).pathname === '/api/session')).toHaveLength(1);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.blocked).toEqual([]);
    await page.close();
  }, 120_000);
});
