// The static site pointed at the learner's own lab server: the BUILT deck on one origin (a plain
// static server, as GitHub Pages), a REAL lab server (DinD swarm) on another, started with
// `--allow-origin <the site's origin>`. The learner pastes the address `npm start` prints into
// « Utiliser mon serveur de TP »: a wrong token is refused in place, the right one is
// remembered, the lab slide goes live on that server (bearer token on HTTP, `?token=` on the
// terminal's WebSocket, no cookie), a command runs in the terminal, « Vérifier » passes, and
// « Oublier » brings the self-paced mode back.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, type LabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { buildDeck } from '../src/deck/build';
import { screenRows } from './terminal-screen';
import { startStaticServer, type StaticServer } from '../server/http/static';
import { chromiumOrSkip, isOutside, launchChromium, type ChromiumSession } from './chromium';
import { engineAvailable } from './engine';

const enabled = chromiumOrSkip('lab-remote.e2e') && (await engineAvailable('static site + remote lab server (DinD swarm + Chromium)'));
const SHOTS = process.env.LAB_SCREENSHOTS;
const SUB = '/docker-en-cluster/';

const screenText = async (page: Page) => (await screenRows(page)).join('\n');

describe.skipIf(!enabled)('the static site on the learner’s own lab server, another origin (Chromium, DinD)', () => {
  let outDir: string;
  let dataDir: string;
  let pages: StaticServer;
  let siteOrigin: string;
  let site: string;
  let lab: LabServer;
  let browser: ChromiumSession;
  let learner: string;
  let token: string;
  const sockets: string[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'dec-remote-site-'));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-remote-lab-'));
    await buildDeck(outDir);
    pages = await startStaticServer(outDir, SUB);
    siteOrigin = new URL(pages.url).origin;
    site = `${siteOrigin}${SUB}`;
    lab = await startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'dind', 'allow-origin': [siteOrigin] }));
    expect(new URL(lab.url).origin).not.toBe(siteOrigin);
    const registered = await lab.registry.register('Autonome');
    learner = registered.learner.id;
    token = registered.token;
    browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (lab) {
      if (learner) await lab.clusters?.down(learner);
      await lab.close();
    }
    await pages?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('enter the address: the slide goes live on that server, a command runs, the check passes; « Oublier »', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('websocket', (ws) => void sockets.push(ws.url()));
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${site}#/lab-services-replicas`);
    const section = page.locator('section#lab-services-replicas');
    await section.locator('.lab.lab-self-paced').waitFor({ timeout: 60_000 });
    const form = section.locator('details.lab-remote');
    await form.locator('summary').click();
    expect(await form.locator('.lab-remote-how code').textContent()).toBe(`npm start -- --allow-origin ${siteOrigin}`);
    const field = form.getByLabel('Adresse du serveur');

    // Not an address, then a token the server does not know: said in place, nothing remembered.
    await field.fill('127.0.0.1:4173');
    await form.getByRole('button', { name: 'Utiliser' }).click();
    expect(await form.locator('.lab-remote-status').textContent()).toMatch(/^Adresse invalide\u00a0: /);
    await field.fill(`${lab.url}/?token=not-a-token`);
    await form.getByRole('button', { name: 'Utiliser' }).click();
    await expect.poll(() => form.locator('.lab-remote-status').textContent(), { timeout: 20_000 }).toContain('jeton refusé');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await section.locator('.lab.lab-self-paced').count()).toBe(1);

    // The address `npm start` prints: remembered, the page reloads, the slide is live there.
    await field.fill(`${lab.url}/?token=${token}`);
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), form.getByRole('button', { name: 'Utiliser' }).click()]);
    await page.waitForSelector('section#lab-services-replicas .lab.lab-live:not(.lab-busy)', { timeout: 300_000 });
    await page.waitForSelector('.lab-term-tab[data-node="manager1"][data-status="open"]', { timeout: 60_000 });
    expect(await page.locator('.lab-remote-badge-label').textContent()).toBe(`Serveur\u00a0: ${lab.url}`);
    expect(await section.locator('.lab-replay-slot').count()).toBe(0);

    // A command block typed into manager1's terminal, on the learner's cluster of that server.
    await section.locator('.lab-exercise.lab-current figure.lab-command-clickable pre', { hasText: 'docker service create' }).click();
    await expect.poll(() => screenText(page), { timeout: 60_000 }).toMatch(/^[a-z0-9]{25}$/m);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'remote-live.png') });
    await page.getByRole('button', { name: 'Vérifier l’exercice sur le vrai cluster' }).click();
    await page.waitForSelector('.lab-verdict.lab-verdict-ok', { timeout: 120_000 });
    // The server saw this learner (bearer token), not its fixed local one.
    const progress = (await (await fetch(`${lab.url}/api/progress`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      exercises: Record<string, { passedAt?: string }>;
    };
    expect(progress.exercises['services-replicas/create']?.passedAt).toBeTruthy();

    // Terminal sockets carried the token in their URL; no cookie was ever set for the server.
    const terminals = sockets.filter((u) => u.includes('/api/terminal/'));
    expect(terminals.length).toBeGreaterThan(0);
    for (const u of terminals) {
      expect(new URL(u).origin.replace(/^ws/, 'http')).toBe(lab.url);
      expect(new URL(u).searchParams.get('token')).toBe(token);
    }
    expect(await browser.context.cookies(lab.url)).toEqual([]);
    // Every request went to the site or to the learner's server, nowhere else.
    expect(browser.requests.filter((u) => isOutside(u, siteOrigin) && isOutside(u, lab.url))).toEqual([]);
    // The only failure is the refused token above (the browser logs that 401 itself).
    expect(failed).toEqual([`401 ${lab.url}/api/session`]);
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    expect(errors.filter((e) => /status of 401/.test(e))).toHaveLength(1);

    // « Oublier »: back to the self-paced mode, nothing remembered.
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), section.getByRole('button', { name: 'Oublier' }).click()]);
    await page.locator('section#lab-services-replicas .lab.lab-self-paced').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.close();
  }, 600_000);
});
