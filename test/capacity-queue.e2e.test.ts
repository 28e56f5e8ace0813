// The queue as a learner sees it, in a real Chromium against the real lab server: the room is
// full (one slot, held by another learner's cluster), the lab slide says « Tous les postes sont
// occupés : vous êtes en tête de la file d’attente » in a live region and asks again by
// itself; once the other cluster is removed, the slide goes live without a click.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, type LabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { chromiumOrSkip, launchChromium, loginThroughConfirmation, type ChromiumSession } from './chromium';
import { engineAvailable, leftovers } from './engine';

const enabled = chromiumOrSkip('capacity-queue.e2e') && (await engineAvailable('queue on the lab slide (DinD + Chromium)'));

describe.skipIf(!enabled)('a full room on the lab slide (Chromium, DinD)', () => {
  let dataDir: string;
  let lab: LabServer;
  let browser: ChromiumSession;
  const ids: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-queue-e2e-'));
    lab = await startLabServer(loadConfig({ port: '0', 'data-dir': dataDir, driver: 'dind', 'max-clusters': '1' }), { log: () => undefined });
    browser = await launchChromium({ viewport: { width: 1280, height: 800 }, blockOutside: lab.url });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (lab) {
      await lab.close();
      // Every cluster of this data folder (adopt lists the complete ones and removes the others).
      const driver = lab.backend.driver;
      if (driver) for (const id of await driver.adopt()) await driver.down(id);
      for (const id of ids) expect(await leftovers(id)).toEqual([]);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('shows the place in line, retries by itself, and goes live once a slot frees', async () => {
    const holder = await lab.registry.register('Première');
    const waiter = await lab.registry.register('Seconde');
    ids.push(holder.learner.id, waiter.learner.id);
    const asHolder = { Authorization: `Bearer ${holder.token}`, 'Content-Type': 'application/json' };
    // The only slot: a one-node cluster of another learner.
    const up = await fetch(`${lab.url}/api/cluster/up`, { method: 'POST', headers: asHolder, body: JSON.stringify({ shape: { managers: 1, workers: 0 } }) });
    expect(up.status).toBe(200);

    const page = await browser.newPage();
    const refusals: { retryAfter: string | null }[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/api/labs/services-replicas/start') && r.status() === 503) refusals.push({ retryAfter: r.headers()['retry-after'] ?? null });
    });
    await loginThroughConfirmation(page, `${lab.url}/?token=${waiter.token}`, { then: `${lab.url}/#/lab-services-replicas` });
    const notice = page.locator('.lab-notice-queue');
    await notice.waitFor({ timeout: 120_000 });
    expect(await notice.getAttribute('role')).toBe('status');
    const text = (await notice.textContent()) ?? '';
    expect(text).toContain('En attente d’un poste libre…');
    expect(text).toContain('Tous les postes sont occupés\u00a0: vous êtes en tête de la file d’attente.');
    // The slide asks again on its own, after the delay the server gave; the line keeps the place.
    for (let i = 0; i < 300 && refusals.length < 2; i++) await page.waitForTimeout(100);
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(refusals[0]!.retryAfter).toBe('5');
    await notice.waitFor({ timeout: 30_000 });
    expect(lab.room!.queue.waiting()).toEqual([waiter.learner.id]);

    expect((await fetch(`${lab.url}/api/cluster/down`, { method: 'POST', headers: asHolder, body: '{}' })).status).toBe(200);
    await page.waitForSelector('.lab.lab-live:not(.lab-busy)', { timeout: 300_000 });
    await page.waitForSelector('.lab-term-tab[data-node="manager1"][data-status="open"]', { timeout: 60_000 });
    expect(await page.locator('.lab-notice-queue').count()).toBe(0);
    expect(lab.room!.queue.holds(waiter.learner.id)).toBe(true);
  }, 480_000);
});
