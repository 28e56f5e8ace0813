// The lab terminal in a real Chromium, inside a reveal.js slide scaled by a CSS transform:
// keyboard input, mouse selection at a non-1 scale, keys not leaking to the slides, copy on
// select, and a page reload that finds the same shell.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localBash, TEST_PS1 } from '../server/terminals/testing';
import { NodeUnavailableError, TerminalGateway } from '../server/terminals/gateway';
import { dragOverWord, screenRows, waitForScreen } from './terminal-screen';
import { chromiumOrSkip, launchChromium, type ChromiumSession } from './chromium';

const hasChromium = chromiumOrSkip('terminal.e2e');
/** The test shell's prompt as shown on screen (rows are right-trimmed). */
const PROMPT_RE = new RegExp(`^${TEST_PS1.trimEnd().replace(/[$]/g, '\\$')}`, 'm');
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/terminal');

/** The fixture page's state, for failure messages. */
const labState = (page: Page) => () =>
  page.evaluate(() => ({
    statuses: window.__lab?.statuses,
    overlayHidden: window.__lab?.panel.element.hidden,
    active: document.activeElement?.className,
    slide: window.__lab?.deck.getIndices(),
  }));

const slideIndex = (page: Page) => page.evaluate(() => window.__lab!.deck.getIndices().h);

describe.skipIf(!hasChromium)('terminal panel in a scaled reveal.js slide (Chromium)', () => {
  let vite: ViteDevServer;
  let gateway: TerminalGateway;
  let browser: ChromiumSession;
  let origin: string;
  let cacheDir: string;
  const opened: string[] = [];
  /** Terminal WebSockets that reached the server (upgrade requests), by path. */
  const upgrades: string[] = [];
  /** Upgraded sockets, to cut them like a network failure. */
  const sockets = new Set<import('node:stream').Duplex>();

  beforeAll(async () => {
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'vite-term-'));
    gateway = new TerminalGateway({
      resolveShell: async (key) => {
        // worker2 is a node that is down (pulled plug): its tab must say so.
        if (key.node === 'worker2') throw new NodeUnavailableError(key.node, 'débranché pour le test');
        opened.push(key.node);
        return localBash();
      },
    });
    vite = await createServer({
      root: fixture,
      configFile: false,
      cacheDir,
      logLevel: 'warn',
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    });
    await vite.listen();
    const http = vite.httpServer!;
    // A minimal test edge on the same origin: fixed learner, node and tab from the path.
    http.on('upgrade', (req, socket, head) => {
      const m = /^\/term\/([\w-]+)\/(\d+)$/.exec(req.url ?? '');
      if (!m) return;
      upgrades.push(req.url ?? '');
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      gateway.handleUpgrade(req, socket, head, { learner: 'e2e', node: m[1]!, tab: m[2]! });
    });
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    // 800x600: reveal scales its 960x700 slides by 0.8 with a CSS transform.
    browser = await launchChromium({ viewport: { width: 800, height: 600 }, blockOutside: origin });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  });

  afterAll(async () => {
    await browser?.close();
    await vite?.close();
    await gateway?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('types, selects with the mouse at scale 0.8, keeps keys from the slides, and survives a reload', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/#/1`);
    await page.waitForFunction(() => window.__lab?.statuses.includes('open'), undefined, { timeout: 60_000 });
    await waitForScreen(page, PROMPT_RE, 'invite', 15_000, labState(page));

    // The slides really are transformed, and the terminal is outside the transformed box.
    const layout = await page.evaluate(() => {
      const { panel, deck } = window.__lab!;
      return {
        scale: deck.getScale(),
        transform: getComputedStyle(document.querySelector('.reveal .slides')!).transform,
        insideSlides: !!panel.element.closest('.slides'),
      };
    });
    expect(layout.scale).toBeCloseTo(0.8, 2);
    expect(layout.transform).toMatch(/^matrix\(0\.8, 0, 0, 0\.8,/);
    expect(layout.insideSlides).toBe(false);

    // Keyboard: click into the terminal and type.
    await page.locator('.lab-term-overlay .xterm-screen').click();
    await page.keyboard.type('echo bonjour-$((6*7))');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^bonjour-42$/m, 'bonjour-42', 15_000, labState(page));

    // Arrow keys while the terminal has focus go to the shell, not to reveal.
    expect(await slideIndex(page)).toBe(1);
    for (const key of ['ArrowRight', 'ArrowLeft', 'ArrowDown', 'PageDown', 'Space']) await page.keyboard.press(key);
    expect(await slideIndex(page)).toBe(1);
    await page.keyboard.press('Control+u');

    // Mouse selection of one word, at scale 0.8.
    await page.keyboard.type("echo 'alpha MOTCIBLE omega'");
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^alpha MOTCIBLE omega$/m, 'la ligne à sélectionner', 15_000, labState(page));
    await dragOverWord(page, 'alpha MOTCIBLE omega', 'MOTCIBLE');
    expect(await page.evaluate(() => window.__lab!.panel.getSelection())).toBe('MOTCIBLE');
    // Copy on select, with the French hint.
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('.lab-term-toast')!.hidden);
    expect(await page.locator('.lab-term-toast').textContent()).toBe('Copié\u202f!');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('MOTCIBLE');
    // Ctrl+Shift+C copies the selection again (and sends nothing to the shell).
    await page.evaluate(() => navigator.clipboard.writeText('autre chose'));
    await page.keyboard.press('Control+Shift+C');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('MOTCIBLE');
    await expect.poll(() => page.locator('.lab-term-hint').isVisible()).toBe(true);
    expect(await page.locator('.lab-term-hint').textContent()).toContain('Ctrl+Maj+C pour copier, Ctrl+Maj+V pour coller');

    // Ctrl+Shift+V pastes the clipboard into the shell.
    await page.evaluate(() => navigator.clipboard.writeText('echo colle-$((100+1))'));
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^colle-101$/m, 'le collage', 15_000, labState(page));

    // Same shell after a reload, and the history shown once (exact replay).
    await page.keyboard.type('echo PID=$$');
    await page.keyboard.press('Enter');
    const pid = (await waitForScreen(page, /^PID=(\d+)$/m, 'PID', 15_000, labState(page)))[1];
    await page.reload();
    await page.waitForFunction(() => window.__lab?.statuses.includes('open'), undefined, { timeout: 30_000 });
    await waitForScreen(page, /^PID=\d+$/m, 'le PID rejoué', 15_000, labState(page));
    const rows = await screenRows(page);
    expect(rows.filter((r) => r === 'bonjour-42')).toHaveLength(1);
    expect(rows.filter((r) => r === `PID=${pid}`)).toHaveLength(1);
    await page.locator('.lab-term-overlay .xterm-screen').click();
    await page.keyboard.type('echo APRES=$$');
    await page.keyboard.press('Enter');
    expect((await waitForScreen(page, /^APRES=(\d+)$/m, 'PID après rechargement', 15_000, labState(page)))[1]).toBe(pid);

    // Escape then an arrow leaves the terminal and changes the slide; the terminal hides.
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowRight');
    expect(await slideIndex(page)).toBe(2);
    await page.waitForFunction(() => window.__lab!.panel.element.hidden);
    await page.keyboard.press('ArrowLeft');
    expect(await slideIndex(page)).toBe(1);
    await page.waitForFunction(() => !window.__lab!.panel.element.hidden);

    // Another tab is another node's shell, connected only when shown.
    expect(opened.filter((n) => n === 'worker1')).toHaveLength(0);
    await page.getByRole('tab', { name: 'worker1' }).click();
    await waitForScreen(page, PROMPT_RE, 'invite de worker1', 15_000, labState(page));
    expect(opened.filter((n) => n === 'worker1')).toHaveLength(1);
    await page.keyboard.type('echo W=$$');
    await page.keyboard.press('Enter');
    expect((await waitForScreen(page, /^W=(\d+)$/m, 'PID de worker1', 15_000, labState(page)))[1]).not.toBe(pid);

    expect(browser.consoleErrors).toEqual([]);
    expect(browser.outsideRequests(origin)).toEqual([]);
    await page.close();
  });

  it('follows a window resize (scale above 1), reconnects after a lost socket without duplicates, and after a reset', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/#/1`);
    await page.waitForFunction(() => window.__lab?.statuses.includes('open'), undefined, { timeout: 30_000 });
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.waitForFunction(() => window.__lab!.deck.getScale() > 1.2);
    // The terminal follows the slide: same on-screen box as the placeholder.
    await expect.poll(() => page.evaluate(() => {
      const slot = document.querySelector('.lab-term-slot')!.getBoundingClientRect();
      const over = window.__lab!.panel.element.getBoundingClientRect();
      return [over.left - slot.left, over.top - slot.top, over.width - slot.width, over.height - slot.height].map((d) => Math.abs(Math.round(d)));
    })).toEqual([0, 0, 0, 0]);
    await page.locator('.lab-term-overlay .xterm-screen').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.type("echo 'un DEUXIEME trois'");
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^un DEUXIEME trois$/m, 'la ligne', 15_000, labState(page));
    await dragOverWord(page, 'un DEUXIEME trois', 'DEUXIEME');
    expect(await page.evaluate(() => window.__lab!.panel.getSelection())).toBe('DEUXIEME');

    // A lost socket (network cut): the page reconnects and gets only what it missed.
    const statusesBefore = await page.evaluate(() => window.__lab!.statuses.length);
    for (const s of sockets) s.destroy();
    sockets.clear();
    await gateway.type({ learner: 'e2e', node: 'manager1', tab: '1' }, 'echo PENDANT=$((2*50))\r');
    await page.waitForFunction((n) => window.__lab!.statuses.slice(n).includes('open'), statusesBefore, { timeout: 30_000 });
    expect(await page.evaluate((n) => window.__lab!.statuses.slice(n), statusesBefore)).toEqual(['reconnecting', 'open']);
    await waitForScreen(page, /^PENDANT=100$/m, 'la sortie manquée', 15_000, labState(page));
    const rows = await screenRows(page);
    expect(rows.filter((r) => r === 'PENDANT=100')).toHaveLength(1);
    expect(rows.filter((r) => r === 'un DEUXIEME trois')).toHaveLength(1);

    // Cluster reset: the shell is killed, the page says so and reconnects to a fresh shell.
    await page.keyboard.type('echo AVANT=$$');
    await page.keyboard.press('Enter');
    const before = (await waitForScreen(page, /^AVANT=(\d+)$/m, 'PID', 15_000, labState(page)))[1];
    gateway.closeLearner('e2e');
    await page.waitForFunction((n) => window.__lab!.statuses.slice(n).filter((s) => s === 'open').length >= 2, statusesBefore, { timeout: 30_000 });
    await waitForScreen(page, PROMPT_RE, 'la nouvelle invite', 15_000, labState(page));
    // The new shell's screen starts with the reason, not with the old shell's output.
    const fresh = (await screenRows(page)).filter((r) => r);
    expect(fresh[0]).toBe('Cluster réinitialisé : ouverture d’un nouveau terminal…');
    expect(fresh.some((r) => r.startsWith('AVANT='))).toBe(false);
    await page.locator('.lab-term-overlay .xterm-screen').click();
    await page.keyboard.type('echo NOUVEAU=$$');
    await page.keyboard.press('Enter');
    expect((await waitForScreen(page, /^NOUVEAU=(\d+)$/m, 'nouveau PID', 15_000, labState(page)))[1]).not.toBe(before);

    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });

  it('a flood (`yes`) keeps the page responsive and the server bounded; Ctrl+C stops it', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/#/1`);
    await page.waitForFunction(() => window.__lab?.statuses.includes('open'), undefined, { timeout: 30_000 });
    await page.locator('.lab-term-overlay .xterm-screen').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.type('yes FLOT');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^FLOT$/m, 'le flot', 15_000, labState(page));
    // The page keeps painting frames and answering while the flood runs.
    for (let i = 0; i < 20; i++) {
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    }
    await page.keyboard.press('Control+c');
    await expect.poll(async () => (await screenRows(page)).filter((r) => r).at(-1), { timeout: 30_000 }).toMatch(PROMPT_RE);
    await page.keyboard.type('echo fin-$((3*3))');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^fin-9$/m, 'la commande après le flot', 15_000, labState(page));
    const stats = gateway.stats();
    console.info(`[terminal.e2e] flood in Chromium: peak unacked ${stats.peakUnackedBytes} B, pauses ${stats.pauses}`);
    expect(stats.peakUnackedBytes).toBeLessThanOrEqual(512 * 1024 + 64 * 1024);
    expect(stats.peakRingBytes).toBeLessThanOrEqual(256 * 1024);
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });

  it('a node that is down shows on its tab, in words and by its dot', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/#/1`);
    await page.waitForFunction(() => window.__lab?.statuses.includes('open'), undefined, { timeout: 30_000 });
    expect(await page.getByRole('tab', { name: 'manager1 (connecté)' }).count()).toBe(1);
    await page.getByRole('tab', { name: /^worker2/ }).click();
    await page.waitForFunction(() => window.__lab!.panel.states.worker2 === 'down', undefined, { timeout: 30_000 });
    expect(await page.getByRole('tab', { name: 'worker2 (nœud arrêté)' }).count()).toBe(1);
    expect(await page.locator('.lab-term-tab[data-node="worker2"]').getAttribute('title')).toBe('Terminal de worker2\u00a0: nœud arrêté');
    // The dot's shape differs from a connected tab's, not only its colour.
    const radius = (node: string) => page.locator(`.lab-term-tab[data-node="${node}"] .lab-term-dot`).evaluate((d) => getComputedStyle(d).borderRadius);
    expect(await radius('worker2')).not.toBe(await radius('manager1'));
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });

  it('opens no shell in the speaker view iframes (?receiver)', async () => {
    const receiver = await browser.newPage();
    const receiverSockets: string[] = [];
    // Terminal sockets only (Vite's client opens its own).
    receiver.on('websocket', (ws) => {
      if (new URL(ws.url()).pathname.startsWith('/term/')) receiverSockets.push(ws.url());
    });
    const before = upgrades.length;
    await receiver.goto(`${origin}/?receiver#/1`);
    await receiver.waitForFunction(() => !!window.__lab);
    expect(await receiver.locator('.lab-term-slot').textContent()).toBe('Terminal disponible dans la présentation');
    expect(await receiver.locator('.lab-term-overlay').count()).toBe(0);
    // A live panel connects on its first animation frame: let two pass…
    await receiver.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // … then a normal page, opened after it, does connect (its socket really opens): only its
    // socket reached the server, none from the receiver.
    const normal = await browser.newPage();
    await normal.goto(`${origin}/#/1`);
    await normal.waitForFunction(() => window.__lab?.statuses.includes('open'), undefined, { timeout: 30_000 });
    expect(upgrades.slice(before)).toEqual(['/term/manager1/1']);
    expect(receiverSockets).toEqual([]);
    await normal.close();
    await receiver.close();
  });
});
