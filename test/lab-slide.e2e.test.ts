// The live lab slide in a real Chromium against the REAL lab server (Vite middleware, DinD
// swarm): a command block typed into the terminal, « Vérifier » passing then failing with its
// message and a hint, mouse selection in the terminal, and a reload that finds the same shell
// and the progress; the terminal's room at 1280×800 (100 columns, status dots, full width) and
// no serious accessibility violation (axe-core).
//
// The test registers a learner of its own (its own cluster) rather than using the server's
// fixed « local » learner: a developer's `npm start` on this machine uses that one.
// LAB_SCREENSHOTS=dir writes screenshots of each step there.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, type LabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { dragOverWord, waitForScreen } from './terminal-screen';
import { axeViolations } from './axe';
import { chromiumOrSkip, launchChromium, loginThroughConfirmation, type ChromiumSession } from './chromium';
import { engineAvailable } from './engine';
import { closeLabTest } from './lab-server';

const enabled = chromiumOrSkip('lab-slide.e2e') && (await engineAvailable('lab slide (DinD swarm + Chromium)'));
const SHOTS = process.env.LAB_SCREENSHOTS;

/** The live lab is ready: cluster started, manager1's terminal connected. */
async function waitForLiveLab(page: Page): Promise<void> {
  await page.waitForSelector('.lab.lab-live:not(.lab-busy)', { timeout: 300_000 });
  await page.waitForSelector('.lab-term-tab[data-node="manager1"][data-status="open"]', { timeout: 60_000 });
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

describe.skipIf(!enabled)('lab slide on the real lab server (Chromium, DinD)', () => {
  let dataDir: string;
  let lab: LabServer;
  let browser: ChromiumSession;
  let learner: string;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-lab-slide-'));
    lab = await startLabServer(loadConfig({ port: '0', 'data-dir': dataDir, driver: 'dind' }));
    const registered = await lab.registry.register('Testeur');
    learner = registered.learner.id;
    token = registered.token;
    browser = await launchChromium({ viewport: { width: 1280, height: 800 }, blockOutside: lab.url });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lab.url });
  }, 300_000);

  afterAll(async () => {
    await closeLabTest({ browser, lab, learner, dataDir });
  }, 120_000);

  it('types a command block, checks (pass, then fail with a hint), selects in the terminal, survives a reload', async () => {
    const page = await browser.newPage();
    await loginThroughConfirmation(page, `${lab.url}/?token=${token}`, { then: `${lab.url}/#/lab-services-replicas` });
    await page.waitForSelector('.lab.lab-live', { timeout: 60_000 });
    expect(await page.locator('.lab-notice').first().textContent()).toContain('Préparation du cluster…');
    await shot(page, '1-preparing');
    await waitForLiveLab(page);

    // Terminal room at 1280×800: at least 100 columns, a status dot per node tab said in words.
    const size = await page.evaluate(() => window.__labSlides![0]!.terminal!.size);
    expect(size.cols, JSON.stringify(size)).toBeGreaterThanOrEqual(100);
    expect(await page.getByRole('tab', { name: 'manager1 (connecté)' }).count()).toBe(1);
    expect(await page.getByRole('tab', { name: 'worker1 (pas encore ouvert)' }).count()).toBe(1);
    expect(await page.locator('.lab-term-tab[data-node="manager1"] .lab-term-dot').getAttribute('aria-hidden')).toBe('true');
    // No dark strip under the terminal: what xterm leaves under its last row has the terminal's colour.
    const colours = await page.evaluate(() => {
      const view = document.querySelector('.lab-term-overlay .lab-term-view:not([hidden])')!;
      const bg = (sel: string) => getComputedStyle(view.querySelector(sel)!).backgroundColor;
      return { viewport: bg('.xterm-viewport'), screen: bg('.xterm-scrollable-element') };
    });
    expect(colours.viewport).toBe(colours.screen);

    // « Terminal pleine largeur », from the keyboard: the terminal takes the slide's width.
    const wide = page.getByRole('button', { name: 'Terminal pleine largeur' });
    await wide.focus();
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    expect(await wide.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.evaluate(() => window.__labSlides![0]!.terminal!.size.cols)).toBeGreaterThan(size.cols + 30);
    const wideCols = await page.evaluate(() => window.__labSlides![0]!.terminal!.size.cols);
    expect(await page.locator('.lab-side').isVisible()).toBe(false);
    await page.keyboard.press('Space'); // reveal's « next slide » key: stays the button's
    expect(await wide.getAttribute('aria-pressed')).toBe('false');
    expect(await page.evaluate(() => window.location.hash)).toBe('#/lab-services-replicas');
    await expect.poll(() => page.evaluate(() => window.__labSlides![0]!.terminal!.size.cols)).toBeLessThan(wideCols);
    expect(await page.evaluate(() => window.__labSlides![0]!.terminal!.size.cols)).toBeGreaterThanOrEqual(100);
    expect(await page.locator('.lab-side').isVisible()).toBe(true);

    // The node tabs from the keyboard (← →), without leaving the slide.
    const slideBefore = await page.evaluate(() => window.Reveal!.getIndices());
    await page.getByRole('tab', { name: 'manager1 (connecté)' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-node'))).toBe('worker1');
    expect(await page.getByRole('tab', { name: /^worker1/ }).getAttribute('aria-selected')).toBe('true');
    await page.waitForSelector('.lab-term-tab[data-node="worker1"][data-state="open"]', { timeout: 60_000 });
    expect(await page.getByRole('tab', { name: 'worker1 (connecté)' }).count()).toBe(1);
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { name: /^manager1/ }).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => window.Reveal!.getIndices())).toEqual(slideBefore);

    // Accessibility of the live lab slide (axe-core): no serious or critical violation.
    expect(await axeViolations(page)).toEqual([]);

    // One exercise at a time, with its stepper.
    expect(await page.locator('.lab-step-label').textContent()).toBe('Exercice 1/2');
    expect(await page.locator('section#lab-services-replicas .lab-exercise:visible').count()).toBe(1);

    // Clicking the command block types it into manager1's terminal, where it runs.
    const block = page.locator('.lab-exercise.lab-current figure.lab-command-clickable pre', { hasText: 'docker service create' });
    await block.click();
    await waitForScreen(page, /docker service create --name web --detach/, 'la commande tapée', 30_000);
    await waitForScreen(page, /^[a-z0-9]{25}$/m, 'l’identifiant du service créé', 60_000);
    await shot(page, '2-command-typed');

    // « Vérifier »: every condition passes, the verdict says so, the step is marked passed.
    await page.getByRole('button', { name: 'Vérifier l’exercice sur le vrai cluster' }).click();
    // The checker waits for Swarm to converge (the task must start): a verdict, then its kind.
    await page.waitForSelector('.lab-verdict.lab-verdict-ok, .lab-verdict.lab-verdict-fail, .lab-verdict.lab-verdict-error', { timeout: 240_000 });
    expect(await page.locator('.lab-verdict').getAttribute('class'), (await page.locator('.lab-current').textContent()) ?? '').toContain('lab-verdict-ok');
    expect(await page.locator('.lab-current .lab-condition .lab-visually-hidden').allTextContents()).toEqual(['Remplie\u00a0: ', 'Remplie\u00a0: ']);
    expect(await page.locator('.lab-verdict').textContent()).toBe('Exercice réussi\u202f!');
    expect(await page.locator('.lab-current .lab-condition').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state))).toEqual(['ok', 'ok']);
    expect(await page.locator('.lab-step-dot').first().getAttribute('class')).toContain('lab-step-passed');
    await shot(page, '3-passed');

    // Break the state from the terminal, check again: failure, its message, observed/expected, a hint.
    await page.locator('.lab-term-overlay .lab-term-view:not([hidden]) .xterm-screen').click();
    await page.keyboard.type('docker service rm web');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /docker service rm web\nweb$/m, 'la suppression du service');
    await page.getByRole('button', { name: 'Vérifier l’exercice sur le vrai cluster' }).click();
    await page.waitForSelector('.lab-verdict.lab-verdict-fail', { timeout: 120_000 });
    expect(await page.locator('.lab-verdict').textContent()).toBe('Pas encore… 2\u00a0conditions sur 2 à remplir.');
    const first = page.locator('.lab-current .lab-condition[data-index="0"]');
    expect(await first.getAttribute('data-state')).toBe('fail');
    expect(await first.locator('.lab-condition-message').textContent()).toBe('Le service «\u00a0web\u00a0» doit exister, en mode répliqué, avec l’image nginx:alpine.');
    expect(await first.locator('.lab-observed').textContent()).toMatch(/^observé\u00a0: \S/);
    expect(await first.locator('.lab-expected').textContent()).toMatch(/^attendu\u00a0: \S/);
    expect(await first.locator('.lab-hints li:visible').count()).toBe(0);
    // Every condition says its state in words, not only by its colour and icon.
    expect(await first.locator('.lab-visually-hidden').textContent()).toBe('Non remplie\u00a0: ');
    await first.getByRole('button', { name: 'Indice 1/2' }).click();
    expect(await first.locator('.lab-hints li:visible').allTextContents()).toEqual(['La commande commence par «\u00a0docker service create\u00a0».']);
    expect(await first.locator('.lab-hint-button').textContent()).toBe('Indice 2/2');
    await shot(page, '4-failed-hint');

    // Mouse selection in the terminal gives exactly the characters under the mouse.
    await page.locator('.lab-term-overlay .lab-term-view:not([hidden]) .xterm-screen').click();
    await page.keyboard.type("echo 'alpha MOTCIBLE omega'");
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^alpha MOTCIBLE omega$/m, 'la ligne à sélectionner');
    await dragOverWord(page, 'alpha MOTCIBLE omega', 'MOTCIBLE');
    expect(await page.evaluate(() => window.__labSlides![0]!.terminal!.getSelection())).toBe('MOTCIBLE');

    // The same shell after a reload, and the progress kept: exercise 1 passed.
    await page.keyboard.type('echo PID=$$');
    await page.keyboard.press('Enter');
    const pid = (await waitForScreen(page, /^PID=(\d+)$/m, 'le PID'))[1];
    await page.reload();
    await waitForLiveLab(page);
    await waitForScreen(page, new RegExp(`^PID=${pid}$`, 'm'), 'le PID rejoué');
    await page.locator('.lab-term-overlay .lab-term-view:not([hidden]) .xterm-screen').click();
    await page.keyboard.type('echo APRES=$$');
    await page.keyboard.press('Enter');
    expect((await waitForScreen(page, /^APRES=(\d+)$/m, 'le PID après rechargement'))[1]).toBe(pid);
    await page.waitForSelector('.lab-step-dot.lab-step-passed');
    expect(await page.locator('.lab-step-dot').allTextContents()).toEqual(['1 ✔', '2']);
    // The first exercise not passed yet is shown.
    expect(await page.locator('.lab-step-label').textContent()).toBe('Exercice 2/2');

    // The course progress dialog lists the lab with exercise 1 passed, and links to the slide.
    await page.getByRole('button', { name: 'Progression dans les TP (T)' }).click();
    const dialog = page.locator('dialog.lab-progress-dialog[open]');
    await dialog.waitFor();
    expect(await dialog.locator('[data-exercise="services-replicas/create"]').getAttribute('data-passed')).toBe('true');
    expect(await dialog.locator('[data-exercise="services-replicas/scale"]').getAttribute('data-passed')).toBe('false');
    // Every lab slide of the deck is listed, each linked to its slide.
    const links = await dialog.locator('.lab-progress-link').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    expect(links).toHaveLength(await page.locator('section[data-lab]').count());
    expect(links).toContain('#/lab-services-replicas');
    expect(await dialog.locator('[data-exercise^="swarm-init/"][data-passed="true"]').count()).toBe(0);
    await shot(page, '5-progress');
    await dialog.getByRole('button', { name: 'Fermer' }).click();

    expect(browser.consoleErrors).toEqual([]);
    expect(browser.outsideRequests(lab.url)).toEqual([]);
    await page.close();
  }, 600_000);
});
