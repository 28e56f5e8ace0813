// The live cluster map and the automatic checks of a lab slide, in a real Chromium against the
// REAL lab server with a DinD swarm (one cluster for every case of this file, in order): a
// service created outside the page appears in the map with one chip per task on the nodes the
// manager says, and the exercise passes with no click (saved in progress); a command typed in
// the page's terminal passes the next one; a drained node loses its chips; a service that cannot
// be placed shows its French reason; a stopped node is shown stopped; axe-core finds no serious
// violation on the live slide with its map. Waits are bounds, never timings under test.
import { mkdtemp } from 'node:fs/promises';
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
import { closeLabTest } from './lab-server';
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
    await page.waitForSelector('.lab.lab-live:not(.lab-busy), .lab-notice-error', { timeout: 300_000 });
    const failed = await page.locator('.lab-notice-error').count();
    if (failed) throw new Error(`le TP n’a pas démarré : ${await page.locator('.lab-notice-error').first().textContent()}`);
    await page.waitForSelector('.lab-term-tab[data-node="manager1"][data-status="open"]', { timeout: 60_000 });
  }, 400_000);

  afterAll(async () => {
    await closeLabTest({ browser, lab, learner, dataDir });
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

  it('stays readable with 6 nodes and 12 tasks at 1280×800: every chip whole, inside its column and the slide', async () => {
    const layout = await page.evaluate(() => {
      const slide = window.__labSlides![0]!;
      const view = (slide.mode as unknown as { liveMap: { map: { render(s: unknown): void; element: HTMLElement } } }).liveMap.map;
      const names = ['manager1', 'manager2', 'manager3', 'worker1', 'worker2', 'worker3'];
      const services = ['frontend', 'api', 'redis-cache'].map((name, i) => ({ id: `s${i}`, name, mode: 'replicated', replicas: 4, colour: i, healthcheck: i === 0 }));
      const tasks = Array.from({ length: 12 }, (_, i) => ({
        id: `t${i}`, service: `s${i % 3}`, slot: Math.floor(i / 3) + 1, node: names[i % 6], phase: i === 11 ? 'starting' : 'running', state: i === 11 ? 'preparing' : 'running',
        ...(i % 3 === 0 ? { health: 'healthy' } : {}),
      }));
      view.render({
        at: Date.now(), manager: 'manager1', services, tasks,
        nodes: names.map((name, i) => ({ name, role: name.startsWith('manager') ? 'manager' : 'worker', leader: i === 0, availability: i === 4 ? 'drain' : 'active', state: 'ready', machine: 'running' })),
      });
      const box = (e: Element) => e.getBoundingClientRect();
      const columns = [...view.element.querySelectorAll('.cmap-node')];
      const chipsOut = [...view.element.querySelectorAll<HTMLElement>('.cmap-chip')].filter((chip) => {
        const c = box(chip);
        const col = box(chip.closest('.cmap-node')!);
        const name = chip.querySelector<HTMLElement>('.cmap-chip-name')!;
        return c.left < col.left - 0.5 || c.right > col.right + 0.5 || name.scrollWidth > name.clientWidth;
      });
      const map = box(view.element);
      return { columns: columns.length, width: Math.min(...columns.map((c) => box(c).width)), chipsOut: chipsOut.map((c) => c.textContent), bottom: map.bottom, right: map.right, cols: slide.terminal!.size.cols };
    });
    expect(layout.columns).toBe(6);
    expect(layout.chipsOut).toEqual([]);
    expect(layout.bottom).toBeLessThanOrEqual(800);
    expect(layout.right).toBeLessThanOrEqual(1280);
    expect(layout.cols).toBeGreaterThanOrEqual(100);
  });

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
