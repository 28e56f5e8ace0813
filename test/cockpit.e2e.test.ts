// The cockpit with a REAL cluster (DinD) on the real server: the instructor's read-only view of
// a learner's terminal can never type (keystrokes, resize: nothing reaches the shell), the
// solution typed from the cockpit runs in the learner's terminal, the learner's pass and failure
// reach the cockpit's live grid and the CSV, resetting their lab from the cockpit; then, in
// Chromium, the cockpit page shows the pass and the learner's terminal read-only, with no
// serious accessibility violation (axe-core), and a hint sent from it shows in the learner's
// lab slide, and her new name (changed from her progress dialog) in the cockpit. One learner, one cluster (the lab's 3 nodes).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startLabServer, type LabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { plain, TestClient } from '../server/terminals/testing';
import { axeViolations } from './axe';
import { chromiumOrSkip, launchChromium, loginThroughConfirmation, type ChromiumSession } from './chromium';
import { engineAvailable } from './engine';

const docker = await engineAvailable('cockpit (DinD)');
const chromium = docker && chromiumOrSkip('cockpit.e2e');
const LAB = 'services-replicas';

type Row = { id: string; cells: Record<string, { s: string; msg?: string }>; health: { nodes: number; up: number; memoryMB: number | null } | null };

describe.skipIf(!docker)('the cockpit with a real cluster (DinD)', () => {
  let dataDir: string;
  let lab: LabServer;
  let instructor: string;
  let alice: { token: string; id: string };
  let shell: TestClient;
  let viewer: TestClient;
  let cockpit: WebSocket;
  const rows: Row[] = [];
  let ws: string;

  const post = (route: string, token: string, body: unknown) =>
    fetch(`${lab.url}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const lastRow = () => rows.filter((r) => r.id === alice.id).at(-1);
  async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
    const t0 = Date.now();
    while (!check()) {
      if (Date.now() - t0 > ms) throw new Error(`délai dépassé : ${what} (dernière ligne : ${JSON.stringify(lastRow())})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async function check(exercise: string, wait: boolean): Promise<{ ok: boolean }> {
    const res = await post(`/api/labs/${LAB}/check`, alice.token, { exercise, wait });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    return (JSON.parse(lines.at(-1)!) as { report: { ok: boolean } }).report;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-cockpit-e2e-'));
    lab = await startLabServer(loadConfig({ host: '127.0.0.1', port: '0', 'data-dir': dataDir, driver: 'dind', room: true }), { log: () => undefined });
    ws = lab.url.replace('http', 'ws');
    instructor = new URL(lab.localUrl).searchParams.get('token')!;
    const a = await lab.registry.register('Alice');
    alice = { token: a.token, id: a.learner.id };
    const started = await post(`/api/labs/${LAB}/start`, alice.token, {});
    expect(started.status, await started.clone().text()).toBe(200);
    shell = await TestClient.connect(`${ws}/api/terminal/manager1/1?token=${alice.token}`);
    cockpit = new WebSocket(`${ws}/api/live?token=${instructor}`);
    cockpit.on('message', (data) => {
      const env = JSON.parse(data.toString()) as { topic: string; data: { kind: string; row?: Row } };
      if (env.topic === 'room' && env.data.row) rows.push(env.data.row);
    });
    await new Promise((resolve) => cockpit.once('open', resolve));
  }, 400_000);

  afterAll(async () => {
    cockpit?.terminate();
    await viewer?.close();
    await shell?.close();
    if (lab) {
      if (alice) await lab.clusters?.down(alice.id);
      await lab.close();
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('the instructor’s view replays and follows the learner’s terminal, and nothing it sends reaches the shell', async () => {
    expect(plain(await shell.run('echo alice-$((40+2))'))).toContain('alice-42');
    viewer = await TestClient.connect(`${ws}/api/room/learners/${alice.id}/terminal/manager1/1?token=${instructor}`, { cols: 20, rows: 5 });
    expect(viewer.messages.find((m) => m.t === 'attached')).toMatchObject({ mode: 'viewer' });
    await viewer.waitForText('alice-42');
    // Keystrokes (a whole command line), a resize, a reopen: refused once, then dropped.
    viewer.type('touch /tmp/viewer-typed; echo VIEWER-$((1+1))\r');
    viewer.control({ t: 'resize', cols: 20, rows: 5 });
    viewer.control({ t: 'reopen' });
    viewer.type('\u0003exit\r');
    await viewer.waitFor(() => viewer.messages.some((m) => m.t === 'error' && m.code === 'read-only'), 10_000, 'the read-only refusal');
    // The learner's next command shows what the shell got: nothing of the viewer's.
    const after = plain(await shell.run('ls /tmp/viewer-typed 2>&1; stty size'));
    expect(after).toContain('No such file');
    expect(after).toMatch(/24 80/);
    expect(shell.text).not.toContain('VIEWER-2');
    expect((await lab.clusters!.driver.exec(alice.id, 'manager1', ['test', '-e', '/tmp/viewer-typed'])).code).toBe(1);
    // Live: what the learner types next appears in the view.
    await shell.run('echo encore-$((6*7))');
    await viewer.waitForText('encore-42');
    expect(viewer.text).not.toContain('VIEWER-2');
    expect(lab.gateway.list(alice.id).find((t) => t.node === 'manager1')).toMatchObject({ clients: 1, viewers: 1 });
  });

  it('the solution typed from the cockpit runs in the learner’s terminal; the pass and the failure reach the live grid and the CSV', async () => {
    const from = shell.mark;
    const solved = await post(`/api/room/learners/${alice.id}/solve`, instructor, {});
    expect(solved.status, await solved.clone().text()).toBe(200);
    expect(await solved.json()).toMatchObject({ lab: LAB, exercise: 'create', typed: true });
    await shell.waitForText('docker service create --name web', from, 30_000);
    await viewer.waitForText('docker service create --name web', 0, 30_000);
    expect((await check('create', true)).ok).toBe(true);
    expect((await check('scale', false)).ok).toBe(false);
    await until(() => lastRow()?.cells[`${LAB}/create`]?.s === 'passed' && lastRow()?.cells[`${LAB}/scale`]?.s === 'failing', 'the pass and the failure in the grid');
    expect(lastRow()!.cells[`${LAB}/scale`]!.msg).toMatch(/trois réplicas/);
    // Cluster health, polled while the cockpit is open: three nodes up, their memory.
    await until(() => (lastRow()?.health?.up ?? 0) === 3, 'the cluster’s health');
    expect(lastRow()!.health!.memoryMB).toBeGreaterThan(0);
    const csv = await (await fetch(`${lab.url}/api/room/results.csv`, { headers: { Authorization: `Bearer ${instructor}` } })).text();
    const [header, line] = [csv.split('\r\n')[0]!.split(','), csv.split('\r\n').find((l) => l.startsWith(`${alice.id},`))!.split(',')];
    expect(line[header.indexOf(`${LAB}/create`)]).toBe('réussi');
    expect(line[header.indexOf(`${LAB}/scale`)]).toBe('en échec');
  }, 180_000);

  it.skipIf(!chromium)('Chromium: the grid shows the pass, the detail shows the learner’s terminal read-only; no serious accessibility violation', async () => {
    let browser: ChromiumSession | undefined;
    let learnerBrowser: ChromiumSession | undefined;
    try {
      browser = await launchChromium({ viewport: { width: 1400, height: 900 }, blockOutside: lab.url });
      const page = await browser.newPage();
      await loginThroughConfirmation(page, `${lab.url}/cockpit?token=${instructor}`);
      const cell = page.locator(`tr[data-learner="${alice.id}"] td[data-exercise="${LAB}/create"]`);
      await cell.waitFor({ timeout: 60_000 });
      expect(await cell.getAttribute('data-state')).toBe('passed');
      expect(await cell.textContent()).toContain('réussi');
      expect(await page.locator(`tr[data-learner="${alice.id}"] td[data-exercise="${LAB}/scale"]`).getAttribute('data-state')).toBe('failing');
      expect(await page.locator('.cockpit-qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
      await page.getByRole('button', { name: 'Alice' }).click();
      await page.waitForFunction(() => /alice-42/.test(document.querySelector('.cockpit-term-view[data-node="manager1"] .xterm-rows')?.textContent ?? ''), null, { timeout: 30_000 });
      expect(await page.locator('.cockpit-detail h2').textContent()).toBe('Détail de Alice');
      // Her cluster's live map: her three nodes, and the tasks of « web » on them.
      await page.waitForFunction(() => document.querySelectorAll('.cockpit-map .cmap-node[data-node^="manager"], .cockpit-map .cmap-node[data-node^="worker"]').length === 3 && document.querySelector('.cockpit-map .cmap-chip-name')?.textContent?.includes('web'), null, { timeout: 30_000 });
      expect(lab.labLive?.maps.watched(alice.id)).toBe(true);
      // Typing in the view: nothing reaches the shell.
      await page.locator('.cockpit-term-view[data-node="manager1"] .xterm-screen').click();
      await page.keyboard.type('echo DEPUIS-LE-COCKPIT\n');
      const out = plain(await shell.run('echo fin-$((2+2))'));
      expect(out).not.toContain('DEPUIS-LE-COCKPIT');
      expect(shell.text).not.toContain('DEPUIS-LE-COCKPIT');
      // What the learner types shows up live in the instructor's view.
      await shell.run('echo vu-du-formateur');
      await page.waitForFunction(() => /vu-du-formateur/.test(document.querySelector('.cockpit-term-view[data-node="manager1"] .xterm-rows')?.textContent ?? ''), null, { timeout: 30_000 });
      expect(await axeViolations(page)).toEqual([]);
      // A hint from the detail view's form: a dismissible notice in Alice's lab slide.
      // Alice is on her own machine: a browser of her own (cookies are per browser).
      learnerBrowser = await launchChromium({ viewport: { width: 1280, height: 800 }, blockOutside: lab.url });
      const learnerPage = await learnerBrowser.newPage();
      await loginThroughConfirmation(learnerPage, `${lab.url}/?token=${alice.token}`, { then: `${lab.url}/#/lab-${LAB}` });
      await learnerPage.waitForSelector('.lab.lab-live', { timeout: 120_000 });
      await until(() => lab.live.pagesOf(alice.id).length > 0, 'Alice’s live page');
      await page.fill('#cockpit-hint-text', 'Regardez la colonne « NODE » de docker service ps web');
      await page.click('.cockpit-send-hint');
      await page.waitForFunction(() => /Indice remis|Échec/.test(document.querySelector('.cockpit-action-status')?.textContent ?? ''), null, { polling: 100 });
      expect(await page.locator('.cockpit-action-status').textContent()).toBe('Indice remis (1 page ouverte).');
      const notice = learnerPage.locator(`section[data-lab="${LAB}"] .lab-hint-notice`);
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.textContent()).toContain('Regardez la colonne « NODE » de docker service ps web');
      expect(await axeViolations(learnerPage, '.lab-hint-notice')).toEqual([]);
      await notice.getByRole('button', { name: 'Fermer le message du formateur' }).click();
      expect(await notice.count()).toBe(0);
      // Alice changes her name from the progress dialog: the cockpit's grid follows.
      await learnerPage.click(`section[data-lab="${LAB}"] .lab-progress-button`);
      const nameInput = learnerPage.locator('.lab-progress-dialog #lab-name-input');
      await learnerPage.waitForFunction(() => (document.querySelector<HTMLInputElement>('#lab-name-input')?.value ?? '') === 'Alice', null, { polling: 100 });
      expect(await axeViolations(learnerPage, '.lab-progress-dialog')).toEqual([]);
      await nameInput.fill('  Alice   Martin ');
      await learnerPage.click('.lab-progress-dialog .lab-name-save');
      await learnerPage.locator('.lab-name-status', { hasText: 'Nom enregistré.' }).waitFor();
      expect(await nameInput.inputValue()).toBe('Alice Martin');
      await page.getByRole('button', { name: 'Alice Martin' }).waitFor({ timeout: 15_000 });
      expect(browser.consoleErrors).toEqual([]);
      expect(learnerBrowser.consoleErrors).toEqual([]);
      expect(browser.outsideRequests(lab.url)).toEqual([]);
    } finally {
      await browser?.close();
      await learnerBrowser?.close();
    }
  }, 180_000);

  it('resetting the learner’s lab from the cockpit gives a fresh cluster in the lab’s starting state', async () => {
    const reset = await post(`/api/room/learners/${alice.id}/reset`, instructor, {});
    expect(reset.status, await reset.clone().text()).toBe(200);
    expect(await reset.json()).toEqual({ learner: alice.id, lab: LAB });
    // Their shells were closed with the cluster; the service of the solution is gone.
    await shell.waitFor(() => shell.messages.some((m) => m.t === 'closed' && m.reason === 'reset'), 10_000, 'the reset of the terminals');
    const services = await lab.clusters!.driver.exec(alice.id, 'manager1', ['docker', 'service', 'ls', '--format', '{{.Name}}']);
    expect(services.code).toBe(0);
    expect(services.stdout.trim()).toBe('');
  }, 300_000);
});
