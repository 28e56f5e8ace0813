// Follow mode in real Chromium against the real lab server in class mode (the built deck): one
// instructor page and two learners' pages, each in its own browser context (its own cookie).
// The learners' decks follow the instructor's slide and fragment; « Je suis libre » detaches,
// a learner's own navigation detaches with a notice, « Suivre le formateur » jumps back; a page
// loaded after the instructor moved lands on the current slide; the instructor turns follow
// mode off and on; a learner's lab terminal keeps its shell (same PID, same scrollback) across
// a follow-mode move away and back (one DinD cluster: only that learner's lab may start); the
// speaker view opens on the lab slide and its previews publish nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, LOCAL_LEARNER, type LabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumOrSkip, isOutside, loginThroughConfirmation } from './chromium';
import { axeViolations } from './axe';
import { engineAvailable } from './engine';
import { waitForScreen } from './terminal-screen';

/** FOLLOW_SCREENSHOTS=dir writes screenshots of the follow bar there. */
const SHOTS = process.env.FOLLOW_SCREENSHOTS;

const enabled = chromiumOrSkip('follow.e2e') && (await engineAvailable('follow mode (Chromium + one DinD cluster)'));

type Position = { h: number; v: number; f: number };

const position = (page: Page): Promise<Position> =>
  page.evaluate(() => {
    const { h, v, f } = window.Reveal!.getIndices();
    return { h, v: v ?? 0, f: f ?? -1 };
  });

async function followsTo(page: Page, want: Position): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const { h, v, f } = window.Reveal!.getIndices();
      return h === w.h && (v ?? 0) === w.v && (f ?? -1) === w.f;
    },
    want,
    { timeout: 30_000 },
  );
}

describe.skipIf(!enabled)('follow mode (class mode server, Chromium)', () => {
  let dataDir: string;
  let lab: LabServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  const outside: string[] = [];
  let teacher: Page;
  let alice: Page;
  let bob: Page;
  let aliceId: string;
  let bobToken: string;

  /** A page in a context of its own, logged in through the confirmation page like a person. */
  async function personPage(link: string, blockLabStart: boolean): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    await context.route((url) => isOutside(url.href, lab.url), (route) => {
      outside.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    // Only Alice's lab may build a cluster (one DinD cluster for the whole test).
    if (blockLabStart) await context.route(/\/api\/labs\/[^/]+\/start$/, (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'pas de cluster dans ce test' }) }));
    const page = await context.newPage();
    if (!blockLabStart) {
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      page.on('pageerror', (e) => void errors.push(e.message));
    }
    await loginThroughConfirmation(page, link, { then: `${lab.url}/` });
    await page.waitForFunction(() => window.__deckReady === true && window.__follow !== undefined, undefined, { timeout: 120_000 });
    return page;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-follow-'));
    // `static`: class mode's built deck (built now when missing or stale), on loopback only.
    lab = await startLabServer(loadConfig({ port: '0', 'data-dir': dataDir, driver: 'dind', static: true }), { log: () => undefined });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    const a = await lab.registry.register('Alice');
    const b = await lab.registry.register('Bob');
    aliceId = a.learner.id;
    bobToken = b.token;
    teacher = await personPage(lab.localUrl, true);
    alice = await personPage(`${lab.url}/?token=${a.token}`, false);
    bob = await personPage(`${lab.url}/?token=${b.token}`, true);
  }, 600_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    if (lab) {
      if (aliceId) await lab.clusters?.down(aliceId);
      await lab.close();
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 180_000);

  it('learners follow the instructor’s slides and fragments; free, detached by their own navigation, rejoin; a late page lands on the current slide', { timeout: 300_000 }, async () => {
    expect(await teacher.evaluate(() => window.__follow!.role)).toBe('instructor');
    expect(await alice.evaluate(() => window.__follow!.role)).toBe('learner');
    const free = alice.getByRole('button', { name: 'Je suis libre' });
    expect(await free.getAttribute('aria-pressed')).toBe('false');
    expect(await alice.getByRole('button', { name: 'Suivre le formateur' }).isVisible()).toBe(false);
    // The instructor's own control shows once learners' pages are open.
    await teacher.getByRole('button', { name: 'Les apprenants me suivent' }).waitFor({ state: 'visible' });

    // The instructor moves with the keyboard: slides, then a slide with fragments step by step.
    await teacher.keyboard.press('ArrowRight');
    await teacher.keyboard.press('ArrowRight');
    const two = await position(teacher);
    expect(two.h).toBe(2);
    for (const page of [alice, bob]) await followsTo(page, two);
    const withFragments = await teacher.evaluate(() => {
      const deck = window.Reveal!;
      const slide = deck.getSlides().find((s) => s.querySelector('.fragment') && !s.hasAttribute('data-lab'))!;
      const { h, v } = deck.getIndices(slide);
      deck.slide(h, v, -1);
      return { h, v: v ?? 0 };
    });
    await teacher.keyboard.press('ArrowRight'); // the first fragment
    const fragment = await position(teacher);
    expect(fragment).toEqual({ ...withFragments, f: 0 });
    for (const page of [alice, bob]) await followsTo(page, fragment);

    // « Je suis libre », from the keyboard: Alice stays, Bob follows.
    await free.focus();
    await alice.keyboard.press('Space');
    expect(await free.getAttribute('aria-pressed')).toBe('true');
    expect(await position(alice)).toEqual(fragment); // Space stayed the button's
    await teacher.keyboard.press('ArrowLeft');
    const back = await position(teacher);
    await followsTo(bob, back);
    expect(await position(alice)).toEqual(fragment);
    // « Suivre le formateur »: back to the instructor's current position.
    await alice.getByRole('button', { name: 'Suivre le formateur' }).click();
    await followsTo(alice, back);
    expect(await free.getAttribute('aria-pressed')).toBe('false');

    // Alice navigates by herself: detached, with a discreet notice; the instructor's moves no longer move her.
    await alice.locator('body').press('ArrowRight');
    await alice.locator('.follow-notice', { hasText: 'Vous naviguez librement' }).waitFor();
    expect(await alice.getByRole('status').filter({ hasText: 'Vous naviguez librement' }).count()).toBe(1);
    if (SHOTS) await alice.screenshot({ path: path.join(SHOTS, 'follow-detached.png') });
    // The follow bar, its notice and its buttons: no serious or critical accessibility violation.
    expect(await axeViolations(alice, '.follow-bar')).toEqual([]);
    expect(await free.getAttribute('aria-pressed')).toBe('true');
    const hers = await position(alice);
    await teacher.keyboard.press('ArrowLeft');
    const current = await position(teacher);
    await followsTo(bob, current);
    expect(await position(alice)).toEqual(hers);
    await alice.getByRole('button', { name: 'Suivre le formateur' }).click();
    await followsTo(alice, current);
    expect(await alice.locator('.follow-notice').textContent()).toBe('');

    // A page opened after the instructor moved (Bob reloads, then opens a second tab) lands on the current slide.
    await bob.reload();
    await bob.waitForFunction(() => window.__follow !== undefined, undefined, { timeout: 60_000 });
    await followsTo(bob, current);
    const bob2 = await bob.context().newPage();
    await bob2.goto(`${lab.url}/#/0/0`);
    await bob2.waitForFunction(() => window.__follow !== undefined, undefined, { timeout: 60_000 });
    await followsTo(bob2, current);
    await bob2.close();
    expect(bobToken).toBeTruthy();
  });

  it('the instructor turns follow mode off (learners stay, no follow buttons) and on again (everyone back)', { timeout: 120_000 }, async () => {
    const room = teacher.getByRole('button', { name: 'Les apprenants me suivent' });
    expect(await room.getAttribute('aria-pressed')).toBe('true');
    await room.click();
    await alice.locator('.follow-bar-learner').waitFor({ state: 'hidden' });
    expect(lab.presenter.state.enabled).toBe(false);
    const stay = await position(alice);
    await teacher.keyboard.press('ArrowRight');
    await teacher.keyboard.press('ArrowRight');
    const there = await position(teacher);
    expect(there).not.toEqual(stay);
    // The server has the new position, yet the learners stay where they are.
    await expect.poll(() => lab.presenter.state.position).toEqual(there);
    expect(await position(alice)).toEqual(stay);
    await room.click();
    for (const page of [alice, bob]) await followsTo(page, there);
    expect(await alice.getByRole('button', { name: 'Je suis libre' }).isVisible()).toBe(true);
  });

  it('a learner’s lab terminal keeps its shell across a follow-mode move away and back; the speaker view opens there and publishes nothing', { timeout: 900_000 }, async () => {
    const labSlide = await teacher.evaluate(() => {
      const { h, v } = window.Reveal!.getIndices(document.getElementById('lab-services-replicas')!);
      return { h, v: v ?? 0, f: -1 };
    });
    await teacher.evaluate((p) => window.Reveal!.slide(p.h, p.v, p.f), labSlide);
    await followsTo(alice, labSlide);
    await alice.waitForSelector('.lab.lab-live:not(.lab-busy)', { timeout: 600_000 });
    await alice.waitForSelector('.lab-term-tab[data-node="manager1"][data-status="open"]', { timeout: 60_000 });
    await alice.locator('.lab-term-overlay .xterm').first().click();
    await alice.keyboard.type('echo suivi-$((6*7)) $$\n');
    const [, shellPid] = await waitForScreen(alice, /suivi-42 (\d+)/, 'la marque tapée');
    const before = lab.gateway.list(aliceId).find((t) => t.node === 'manager1' && t.tab === '1');
    expect(before?.alive).toBe(true);

    // Away and back, by follow mode only.
    await teacher.keyboard.press('ArrowRight');
    const away = await position(teacher);
    await followsTo(alice, away);
    await alice.locator('.lab-term-overlay').first().waitFor({ state: 'hidden' });
    await teacher.keyboard.press('ArrowLeft');
    await followsTo(alice, labSlide);
    await alice.locator('.lab-term-overlay').first().waitFor({ state: 'visible' });
    await waitForScreen(alice, new RegExp(`suivi-42 ${shellPid}`), 'la même sortie (scrollback)');
    const after = lab.gateway.list(aliceId).find((t) => t.node === 'manager1' && t.tab === '1');
    expect(after?.pid).toBe(before?.pid);
    expect(after?.alive).toBe(true);
    await alice.locator('.lab-term-overlay .xterm').first().click();
    await alice.keyboard.type('echo encore $$\n');
    await waitForScreen(alice, new RegExp(`encore ${shellPid}`), 'le même shell');
    expect(await alice.evaluate(() => window.__follow!.state())).toMatchObject({ mode: 'following' });
    if (SHOTS) await alice.screenshot({ path: path.join(SHOTS, 'follow-lab.png') });

    // The speaker view (S) on the lab slide: its window and its previews load, publish nothing, follow nothing.
    const instructorPages = () => lab.live.pagesOf(LOCAL_LEARNER).length;
    expect(instructorPages()).toBe(1);
    const [view] = await Promise.all([teacher.context().waitForEvent('page'), teacher.keyboard.press('s')]);
    await expect
      .poll(async () => {
        const frames = view.frames().filter((f) => /receiver/.test(f.url()));
        const ready = await Promise.all(frames.map((f) => f.evaluate(() => window.__deckReady === true).catch(() => false)));
        return ready.filter(Boolean).length;
      }, { timeout: 180_000, interval: 500 })
      .toBe(2);
    let current: (typeof view.frames extends () => (infer F)[] ? F : never) | undefined;
    for (const f of view.frames().filter((x) => /receiver/.test(x.url()))) {
      if (await (await f.frameElement()).evaluate((e) => (e as Element).closest('#current-slide') !== null)) current = f;
    }
    const previewAt = await current!.evaluate(() => window.Reveal!.getIndices());
    expect({ h: previewAt.h, v: previewAt.v ?? 0 }).toEqual({ h: labSlide.h, v: labSlide.v });
    expect(await current!.evaluate(() => window.__follow)).toBeUndefined();
    expect(instructorPages()).toBe(1);
    expect(lab.presenter.state.position).toEqual(labSlide);
    expect(await position(alice)).toEqual(labSlide);
    expect(await position(bob)).toEqual(labSlide);
    await view.close();

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  });
});
