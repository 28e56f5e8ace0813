// The live cluster map and the automatic checks of a lab slide, in a real Chromium against the
// REAL lab server with a DinD swarm (one cluster for every case of this file, in order): a
// service created outside the page appears in the map with one chip per task on the nodes the
// manager says, and the exercise passes with no click (saved in progress); a command typed in
// the page's terminal passes the next one; a drained node loses its chips; a service that cannot
// be placed shows its French reason; a stopped node is shown stopped; axe-core finds no serious
// violation on the live slide with its map. Waits are bounds, never timings under test.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, type LabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { REPO_ROOT } from '../server/config';
import { ProgressStore } from '../server/labs/progress';
import { recordSolution } from '../server/labs/recorder';
import { findExercise } from '../server/labs/runner';
import { loadLab } from '../src/labs/loader';
import { axeViolations } from './axe';
import { chromiumOrSkip, launchChromium, loginThroughConfirmation, type ChromiumSession } from './chromium';
import { engineAvailable } from './engine';
import { waitForScreen } from './terminal-screen';

const enabled = chromiumOrSkip('live-map.e2e') && (await engineAvailable('carte du cluster (DinD swarm + Chromium)'));

interface Chip {
  service: string;
  phase: string;
  node: string;
  text: string;
}

async function chips(page: Page): Promise<Chip[]> {
  return page.locator('.cmap-chip').evaluateAll((els) =>
    els.map((e) => {
      const h = e as HTMLElement;
      return { service: h.dataset.service ?? '', phase: h.dataset.phase ?? '', node: (h.closest('.cmap-node') as HTMLElement).dataset.node ?? '', text: h.getAttribute('aria-label') ?? '' };
    }),
  );
}

describe.skipIf(!enabled)('live cluster map and automatic checks (Chromium, DinD)', () => {
  let dataDir: string;
  let lab: LabServer;
  let browser: ChromiumSession;
  let learner: string;
  let page: Page;
  const server = () => lab;

  const exec = async (cmd: string) => {
    const r = await lab.clusters!.driver.exec(learner, 'manager1', ['sh', '-c', cmd]);
    expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  /** Where the manager says the running tasks of `service` are. */
  const taskNodes = async (service: string) => (await exec(`docker service ps ${service} --filter desired-state=running --format '{{.Node}} {{.CurrentState}}'`)).trim().split('\n').filter((l) => l.includes('Running')).map((l) => l.split(' ')[0]!).sort();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-live-map-'));
    lab = await startLabServer(loadConfig({ port: '0', 'data-dir': dataDir, driver: 'dind' }));
    const registered = await lab.registry.register('Carte');
    learner = registered.learner.id;
    browser = await launchChromium({ viewport: { width: 1280, height: 800 }, blockOutside: lab.url });
    page = await browser.newPage();
    await loginThroughConfirmation(page, `${lab.url}/?token=${registered.token}`, { then: `${lab.url}/#/lab-services-replicas` });
    await page.waitForSelector('.lab.lab-live:not(.lab-busy)', { timeout: 300_000 });
    await page.waitForSelector('.lab-term-tab[data-node="manager1"][data-status="open"]', { timeout: 60_000 });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    if (lab) {
      if (learner) await lab.clusters?.down(learner);
      await lab.close();
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('shows one column per node under a terminal of 100 columns or more', async () => {
    await page.waitForSelector('.cmap-node[data-node="worker2"]', { timeout: 10_000 });
    expect(await page.locator('.cmap-node').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.node))).toEqual(['manager1', 'worker1', 'worker2']);
    expect(await page.locator('.cmap-node[data-node="manager1"] .cmap-node-role').textContent()).toBe('★ leader');
    expect(await page.locator('.cmap-node[data-node="worker1"] .cmap-node-state').textContent()).toBe('prêt');
    expect(await page.locator('.cmap-chip').count()).toBe(0);
    expect((await page.evaluate(() => window.__labSlides![0]!.terminal!.size)).cols).toBeGreaterThanOrEqual(100);
    // The map is inside the slide, under the terminal, not over it.
    const boxes = await page.evaluate(() => {
      const r = (s: string) => document.querySelector(s)!.getBoundingClientRect();
      return { term: r('.lab-stage-terminal'), map: r('.cmap') };
    });
    expect(boxes.map.top).toBeGreaterThanOrEqual(boxes.term.bottom - 1);
  });

  it('a service created outside the page appears with its task on the manager’s node, and exercise 1 passes with no click', async () => {
    await exec('docker service create --name web --detach nginx:alpine');
    await page.waitForSelector('.cmap-chip[data-service="web"]', { timeout: 2_000 });
    await page.waitForSelector('.cmap-chip[data-service="web"][data-phase="running"]', { timeout: 60_000 });
    const web = (await chips(page)).filter((c) => c.service === 'web');
    expect(web.map((c) => c.node)).toEqual(await taskNodes('web'));
    expect(web[0]!.text).toMatch(/^web\.1\u00a0: en cours, sur (manager1|worker1|worker2)$/);
    // The automatic check: conditions green, the step marked passed, progress saved without « Vérifier ».
    await page.waitForSelector('.lab-step-dot.lab-step-passed', { timeout: 20_000 });
    expect(await page.locator('.lab-exercise.lab-current .lab-condition').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state))).toEqual(['ok', 'ok']);
    const progress = await new ProgressStore(path.join(dataDir, 'progress')).get(learner);
    expect(progress.exercises['services-replicas/create']?.passedAt).toBeTruthy();
    expect(progress.exercises['services-replicas/create']?.attempts).toBe(0);
    // Screen readers hear a summary per service, not one line per chip.
    await expect.poll(() => page.locator('.cmap [aria-live="polite"]').textContent(), { timeout: 10_000 }).toContain('web\u00a0: 1\u00a0tâche en cours sur 1\u00a0nœud');
  }, 120_000);

  it('a command typed in the page’s terminal passes exercise 2: three chips on three nodes', async () => {
    await page.locator('.lab-step-next').click();
    expect(await page.locator('.lab-step-label').textContent()).toBe('Exercice 2/2');
    await page.locator('.lab-term-overlay .lab-term-view:not([hidden]) .xterm-screen').click();
    await page.keyboard.type('docker service scale --detach web=3');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /web scaled to 3/, 'la mise à l’échelle', 30_000);
    await expect.poll(async () => (await chips(page)).filter((c) => c.service === 'web' && c.phase === 'running').length, { timeout: 60_000 }).toBe(3);
    expect((await chips(page)).filter((c) => c.service === 'web').map((c) => c.node)).toEqual(await taskNodes('web'));
    await page.waitForSelector('.lab-step-dot.lab-step-passed >> nth=1', { timeout: 20_000 });
    expect(await page.locator('.lab-step-dot').allTextContents()).toEqual(['1 ✔', '2 ✔']);
  }, 120_000);

  it('draining a node moves its chips away and says so in the column', async () => {
    await exec('docker node update --availability drain worker1');
    await page.waitForSelector('.cmap-node[data-node="worker1"][data-situation="drain"]', { timeout: 2_000 });
    expect(await page.locator('.cmap-node[data-node="worker1"] .cmap-node-state').textContent()).toBe('⇩ vidé (drain)');
    await expect.poll(async () => (await chips(page)).filter((c) => c.node === 'worker1').length, { timeout: 60_000 }).toBe(0);
    await expect.poll(async () => (await chips(page)).filter((c) => c.service === 'web' && c.phase === 'running').length, { timeout: 60_000 }).toBe(3);
    expect((await chips(page)).filter((c) => c.service === 'web').map((c) => c.node)).toEqual(await taskNodes('web'));
  }, 120_000);

  it('a service that cannot be placed waits in its own column with the reason in French', async () => {
    await exec('docker service create --name big --detach --reserve-memory 100G nginx:alpine');
    await page.waitForSelector('.cmap-waiting .cmap-chip[data-service="big"]', { timeout: 10_000 });
    const reason = await page.locator('.cmap-waiting .cmap-chip[data-service="big"] .cmap-chip-reason').textContent();
    expect(reason).toContain('ressources insuffisantes');
    expect(await page.locator('.cmap-waiting .cmap-chip[data-service="big"]').getAttribute('data-phase')).toBe('pending');
    // Keyboard focus on a chip shows its details, with Docker's own message.
    await page.locator('.cmap-waiting .cmap-chip[data-service="big"]').focus();
    expect(await page.locator('.cmap-detail').textContent()).toMatch(/^big\.1\u00a0: en attente, sans nœud, .*ressources insuffisantes.*insufficient resources/);
  }, 60_000);

  it('has no serious accessibility violation with the map', async () => {
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);

  it('a stopped node is shown stopped, in words', async () => {
    await lab.clusters!.driver.power(learner, 'worker2', 'off');
    await page.waitForSelector('.cmap-node[data-node="worker2"][data-situation="stopped"]', { timeout: 5_000 });
    expect(await page.locator('.cmap-node[data-node="worker2"] .cmap-node-state').textContent()).toBe('⏻ machine arrêtée');
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.outsideRequests(lab.url)).toEqual([]);
  }, 60_000);

  it('the recorder of replays keeps the map states on the cast’s clock', async () => {
    await exec('docker service rm web big');
    const def = loadLab(path.join(REPO_ROOT, 'labs'), 'services-replicas');
    const recording = await recordSolution(server().clusters!.driver, learner, def.id, findExercise(def, 'create'));
    const duration = recording.events.at(-1)![0];
    const states = recording.map.states;
    expect(states[0]![0]).toBe(0);
    expect(states[0]![1].services.map((s) => s.name)).not.toContain('web');
    const times = states.map(([t]) => t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => t <= duration)).toBe(true);
    // The service created by the solution shows on the map before the cast ends.
    const last = states.at(-1)![1];
    expect(last.services.map((s) => s.name)).toContain('web');
    expect(last.tasks.filter((t) => t.service === last.services.find((x) => x.name === 'web')!.id)).toHaveLength(1);
  }, 120_000);
});
