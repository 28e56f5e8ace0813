// The static site as GitHub Pages serves it: the BUILT deck under a sub-path
// (/docker-en-cluster/), no lab server. Every lab slide is in self-paced mode, the recorded
// solution replays in the player and follows the stepper, copy buttons copy, nothing is asked
// of another origin, no request fails, the console stays clean, and `scripts/size.ts` passes
// the budget on this very build. A phone-size viewport gets reveal's scroll view with readable
// lab slides.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeck, DECK_ROOT } from '../src/deck/build';
import { startStaticServer, type StaticServer } from '../server/http/static';
import { chromiumOrSkip, launchChromium, type ChromiumSession } from './chromium';

const hasChromium = chromiumOrSkip('static-site.e2e');
const SUB = '/docker-en-cluster/';

interface Watch {
  console: string[];
  failed: string[];
}

function watch(page: Page): Watch {
  const w: Watch = { console: [], failed: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.console.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => w.console.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) w.failed.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => w.failed.push(`${r.failure()?.errorText} ${r.url()}`));
  return w;
}

async function goToSlide(page: Page, id: string): Promise<void> {
  await page.evaluate((slideId) => {
    const reveal = (window as unknown as { Reveal: { getIndices(s: Element): { h: number; v?: number }; slide(h: number, v?: number): void } }).Reveal;
    const i = reveal.getIndices(document.getElementById(slideId)!);
    reveal.slide(i.h, i.v ?? 0);
  }, id);
}

/** Text on the player's terminal screen. */
const playerText = (page: Page, lab: string) =>
  page.evaluate((l) => document.querySelector(`section[data-lab="${l}"] .lab-replay-player .ap-term`)?.textContent ?? '', lab);
const playerTime = (page: Page, lab: string) =>
  page.evaluate((l) => window.__labSlides?.find((s) => s.lab === l)?.replay?.player?.getCurrentTime() ?? -1, lab);
const playerEvents = (page: Page, lab: string) => page.evaluate((l) => window.__labSlides?.find((s) => s.lab === l)?.replay?.events ?? [], lab);

describe.skipIf(!hasChromium)('the static site under a sub-path, no lab server (Chromium)', () => {
  let outDir: string;
  let server: StaticServer;
  let origin: string;
  let site: string;
  let browser: ChromiumSession;
  const shots = process.env.LAB_SCREENSHOTS;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'dec-static-site-'));
    await buildDeck(outDir);
    server = await startStaticServer(outDir, SUB);
    origin = new URL(server.url).origin;
    site = `${origin}${SUB}`;
    browser = await launchChromium({ viewport: { width: 1280, height: 800 }, blockOutside: origin });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('ships the recordings, their index and a static api/session', async () => {
    expect(await (await fetch(`${site}api/session`)).json()).toEqual({ static: true });
    const index = (await (await fetch(`${site}recordings/index.json`)).json()) as { recordings: Record<string, { file: string; generatedBy: string }> };
    expect(Object.keys(index.recordings).length).toBeGreaterThan(0);
    for (const [key, entry] of Object.entries(index.recordings)) {
      expect(entry.file).toBe(`recordings/${key}.cast`);
      expect(entry.generatedBy).toBe('course-ci');
      const res = await fetch(`${site}${entry.file}`);
      expect(res.status).toBe(200);
      expect(JSON.parse((await res.text()).split('\n')[0]!).version).toBe(2);
    }
  });

  it('every lab slide teaches without a server: self-paced, replays, copy; no error, nothing outside', async () => {
    const page = await browser.newPage();
    const w = watch(page);
    await page.goto(site);
    await page.waitForFunction(() => window.__deckReady === true, null, { timeout: 60_000 });
    // The deck itself loaded under the sub-path (relative URLs: base './').
    expect(await page.locator('.reveal .slides > section').count()).toBeGreaterThan(5);
    const labs = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('section[data-lab]')].filter((s) => !s.querySelector('section')).map((s) => ({ id: s.id, lab: s.dataset.lab! })));
    expect(labs.length).toBeGreaterThanOrEqual(12);

    for (const { id, lab } of labs) {
      await goToSlide(page, id);
      const section = page.locator(`section#${id}`);
      await section.locator('.lab.lab-self-paced').waitFor({ timeout: 30_000 });
      expect(await section.locator('.lab-notice-offline').textContent()).toContain('Pas de serveur de TP');
      expect(await section.locator('.lab-term-overlay').count()).toBe(0);
      expect(await section.locator('.lab-exercise.lab-current .lab-criterion').count(), `${lab}: criteria`).toBeGreaterThan(0);
      expect(await section.locator('.lab-exercise.lab-current details.lab-solution').count(), `${lab}: solution`).toBe(1);
      // The replay follows the recordings the build shipped: a player, or a calm word.
      const slot = section.locator('.lab-replay-slot[data-exercise]');
      const exercise = (await slot.getAttribute('data-exercise'))!;
      const recorded = existsSync(path.join(DECK_ROOT, 'slides/recordings', lab, `${exercise}.cast`));
      await expect.poll(() => slot.getAttribute('data-replay'), { timeout: 20_000 }).toBe(recorded ? 'ready' : 'missing');
      if (recorded) {
        expect(await slot.locator('.lab-replay-caption').textContent()).toMatch(/^Solution enregistrée sur un vrai cluster par l’intégration continue le \d+ \S+ \d{4}\.$/);
        expect(await slot.getByRole('button', { name: '▶ Rejouer la solution' }).isVisible()).toBe(true);
      } else {
        expect(await slot.locator('.lab-replay-caption').textContent()).toBe('Pas encore d’enregistrement pour cet exercice\u00a0: la solution ci-contre reste la référence.');
      }
      // The form for the learner's own server, with the command for this very origin.
      const remote = section.locator('details.lab-remote');
      expect(await remote.locator('summary').textContent()).toBe('Utiliser mon serveur de TP');
      expect(await remote.locator('.lab-remote-how code').textContent()).toBe(`npm start -- --allow-origin ${origin}`);
    }
    // No room without a server: once the probe answered (the self-paced labs above), no follow mode at all.
    expect(await page.locator('.follow-bar').count()).toBe(0);
    expect(await page.evaluate(() => window.__follow)).toBeUndefined();

    // services-replicas: the recorded solution plays (the screen fills, the time advances) and
    // follows the stepper.
    const lab = 'services-replicas';
    await goToSlide(page, 'lab-services-replicas');
    const section = page.locator('section#lab-services-replicas');
    const slot = section.locator('.lab-replay-slot');
    await expect.poll(() => slot.getAttribute('data-replay')).toBe('ready');
    // Before playing, the poster: the end of the recorded session.
    await expect.poll(() => playerText(page, lab), { timeout: 20_000 }).toContain('docker service create --name web --detach nginx:alpine');
    expect(await playerEvents(page, lab)).toEqual([]);
    expect(await playerTime(page, lab)).toBe(0);
    if (shots) await page.screenshot({ path: path.join(shots, 'static-poster.png') });
    await slot.getByRole('button', { name: '▶ Rejouer la solution' }).click();
    // It plays from the start to the end: the clock moves, the screen shows the real output.
    await expect.poll(() => playerEvents(page, lab), { timeout: 30_000 }).toContain('ended');
    expect(await playerEvents(page, lab)).toContain('playing');
    expect(await playerTime(page, lab)).toBeGreaterThan(0);
    const created = await playerText(page, lab);
    expect(created).toContain('docker service create --name web --detach nginx:alpine');
    expect(created).toMatch(/\b[a-z0-9]{25}\b/); // the service id docker printed on the swarm
    // The cluster map recorded beside the cast plays with it: at the end, the task of « web » on a node.
    const replayMap = section.locator('.cmap[aria-label="Carte du cluster (enregistrée)"]');
    await expect.poll(() => replayMap.locator('.cmap-node:not([data-node=""]) .cmap-chip-name').allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringContaining('web'));
    expect(await replayMap.locator('.cmap-node:not([data-node=""])').count()).toBe(3);
    if (shots) await page.screenshot({ path: path.join(shots, 'static-replay.png') });

    // The stepper moves the player to the next exercise's recording.
    await section.getByRole('button', { name: 'Exercice suivant' }).click();
    expect(await slot.getAttribute('data-exercise')).toBe('scale');
    await expect.poll(() => playerText(page, lab), { timeout: 20_000 }).toContain('docker service scale');
    expect(await playerEvents(page, lab)).toEqual([]);
    await slot.getByRole('button', { name: '▶ Rejouer la solution' }).click();
    await expect.poll(() => playerEvents(page, lab), { timeout: 30_000 }).toContain('ended');
    expect(await playerText(page, lab)).not.toContain('docker service create');

    // Copy buttons copy the exact command.
    const block = section.locator('.lab-exercise.lab-current figure.lab-command:not(.lab-action)').first();
    const command = (await block.locator('pre code').textContent())!;
    await block.getByRole('button', { name: 'Copier la commande' }).click();
    await expect.poll(() => block.locator('.lab-copy').textContent()).toBe('Copié\u202f!');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
    await section.locator('details.lab-remote summary').click();
    await section.locator('.lab-remote-copy').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`npm start -- --allow-origin ${origin}`);

    // The player loaded lazily from the site itself; nothing else anywhere.
    expect(browser.requests.some((u) => /\/deck\/player-[\w-]+\.js$/.test(u))).toBe(true);
    expect(w.console).toEqual([]);
    expect(w.failed).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.outsideRequests(origin)).toEqual([]);
    expect(browser.blocked).toEqual([]);
    await page.close();
  }, 300_000);

  it('the first slide loads neither xterm.js nor the player', async () => {
    const page = await browser.newPage();
    const before = browser.requests.length;
    await page.goto(site);
    await page.waitForFunction(() => window.__deckReady === true, null, { timeout: 60_000 });
    const loaded = browser.requests.slice(before).filter((u) => u.endsWith('.js')).map((u) => new URL(u).pathname);
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((p) => /\/deck\/(?:lab|player)-/.test(p))).toEqual([]);
    await page.close();
  }, 120_000);

  it('on a phone: reveal’s scroll view, the lab slide at the screen’s own size, code scrolls sideways', async () => {
    const page = await browser.newPage();
    const w = watch(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(site);
    await page.waitForFunction(() => window.__deckReady === true, null, { timeout: 60_000 });
    expect(await page.locator('.reveal-viewport.reveal-scroll').count()).toBe(1);
    await page.evaluate(() => document.getElementById('lab-services-replicas')!.scrollIntoView());
    const lab = page.locator('section#lab-services-replicas .lab.lab-self-paced');
    await lab.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('section#lab-services-replicas .lab-replay-slot').getAttribute('data-replay'), { timeout: 20_000 }).toBe('ready');
    const m = await page.evaluate(() => {
      const l = document.querySelector<HTMLElement>('section#lab-services-replicas .lab')!;
      const pre = l.querySelector<HTMLElement>('.lab-exercise.lab-current figure.lab-command pre')!;
      const line = pre.querySelector('code')!.getClientRects()[0]!;
      const title = l.querySelector('.lab-exercise.lab-current .lab-exercise-title')!.getBoundingClientRect();
      return { width: l.getBoundingClientRect().width, line: line.height, title: title.height, scrolls: pre.scrollWidth > pre.clientWidth + 1, page: document.documentElement.scrollWidth };
    });
    expect(m.width).toBeGreaterThan(360); // the lab covers the screen's width, not 0.4 of it
    expect(m.line).toBeGreaterThanOrEqual(16); // one line of command in the code block, in screen px
    expect(m.title).toBeGreaterThanOrEqual(20);
    expect(m.scrolls).toBe(true); // a long command scrolls inside its block…
    expect(m.page).toBeLessThanOrEqual(390); // … and never the page sideways
    if (shots) await page.screenshot({ path: path.join(shots, 'phone-lab.png') });
    expect(w.console).toEqual([]);
    expect(w.failed).toEqual([]);
    await page.close();
  }, 120_000);

  it('npm run size passes the budget on this build', async () => {
    const run = promisify(execFile);
    const tsx = path.join(DECK_ROOT, 'node_modules/.bin/tsx');
    const { stdout } = await run(tsx, [path.join(DECK_ROOT, 'scripts/size.ts'), outDir], { cwd: DECK_ROOT }).catch((e: { code: number; stdout: string; stderr: string }) => {
      throw new Error(`scripts/size.ts exited ${e.code}:\n${e.stdout}\n${e.stderr}`);
    });
    expect(stdout).toMatch(/paresseux : TP \(xterm\.js\)/);
    expect(stdout).toMatch(/paresseux : lecteur/);
    expect(stdout).toMatch(/✔ première diapositive/);
  }, 120_000);
});
