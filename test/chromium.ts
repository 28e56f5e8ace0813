// Shared Chromium launcher for browser tests (playwright-core + the system's Chromium).
//
//   const chromium = chromiumOrSkip('my test');          // before describe(): skip loudly / fail in CI
//   describe.skipIf(!chromium)('…', () => {
//     let browser: ChromiumSession;
//     beforeAll(async () => { browser = await launchChromium({ blockOutside: 'http://127.0.0.1:1234' }); });
//     afterAll(() => browser?.close());
//     it('…', async () => {
//       const page = await browser.newPage();
//       …
//       expect(browser.consoleErrors).toEqual([]);
//       expect(browser.outsideRequests('http://127.0.0.1:1234')).toEqual([]);
//     });
//   });
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium';

export { CHROMIUM_ARGS, CHROMIUM_PATH };

/**
 * True when Chromium can be used. When it is missing: throws under CI (`process.env.CI`), else
 * warns loudly and returns false so the caller can skip.
 */
export function chromiumOrSkip(what: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const msg = `Chromium introuvable (${CHROMIUM_PATH}) : « ${what} » ne peut pas tourner. Installez-le (apt-get install -y chromium) ou définissez CHROMIUM_PATH.`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`\n\n*** TESTS NAVIGATEUR IGNORÉS *** ${msg}\n\n`);
  return false;
}

export interface ChromiumSession {
  context: BrowserContext;
  /** Console messages of type error and uncaught page errors, from every page. */
  consoleErrors: string[];
  /** Every request URL, from every page, frame and worker (aborted ones included). */
  requests: string[];
  /** Requests that were aborted because they left the allowed origin (`blockOutside`). */
  blocked: string[];
  newPage(): Promise<Page>;
  /** Requests whose origin is not `origin` (data:, blob: and about: URLs are not network). */
  outsideRequests(origin: string): string[];
  close(): Promise<void>;
}

/**
 * Logs a page in as a person does: opens the token or join link, which shows the server's
 * confirmation page, fills the display name (join links), submits it (CSRF token, same
 * origin), then opens `then` (the fragment of a URL does not survive the login redirect).
 */
export async function loginThroughConfirmation(page: Page, link: string, options: { name?: string; then?: string } = {}): Promise<void> {
  await page.goto(link);
  await page.waitForSelector('form[action="/login"]');
  if (options.name !== undefined) await page.fill('input[name="name"]', options.name);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login' && !url.searchParams.has('token') && !url.searchParams.has('join')), page.click('form[action="/login"] button[type="submit"]')]);
  if (options.then) await page.goto(options.then);
}

export interface LaunchOptions {
  /** Abort (and record in `blocked`) every request whose origin differs from this one. */
  blockOutside?: string;
  viewport?: { width: number; height: number };
  /** Emulate `prefers-reduced-motion`. */
  reducedMotion?: 'reduce' | 'no-preference';
}

const NOT_NETWORK = /^(?:data|blob|about|chrome-error|devtools):/;

export function isOutside(url: string, origin: string): boolean {
  if (NOT_NETWORK.test(url)) return false;
  try {
    return new URL(url).origin !== new URL(origin).origin;
  } catch {
    return true;
  }
}

export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumSession> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    reducedMotion: options.reducedMotion,
  });
  const session: ChromiumSession = {
    context,
    consoleErrors: [],
    requests: [],
    blocked: [],
    async newPage() {
      return context.newPage();
    },
    outsideRequests(origin) {
      return session.requests.filter((u) => isOutside(u, origin));
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  const watch = (page: Page): void => {
    page.on('console', (m) => {
      if (m.type() === 'error') session.consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => session.consoleErrors.push(`${page.url()}: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  context.on('request', (r) => void session.requests.push(r.url()));
  if (options.blockOutside) {
    const origin = options.blockOutside;
    await context.route(
      (url) => isOutside(url.href, origin),
      (route) => {
        session.blocked.push(route.request().url());
        return route.abort('blockedbyclient');
      },
    );
  }
  return session;
}
