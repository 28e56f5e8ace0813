import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { chromiumOrSkip, launchChromium } from '../../test/chromium.js';
import { SEED_DECK as seedPath } from '../../test/fixtures/seed/paths.js';
import { isCourseIndex } from './cli.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const cli = path.join(repoRoot, 'src', 'render', 'cli.ts');
const hasChromium = chromiumOrSkip('render CLI: the standalone page in Chromium');

function runCli(args: string[], cwd: string) {
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Renders the seed deck with the CLI into a fresh folder of its own. */
function renderSeed() {
  const dir = mkdtempSync(path.join(tmpdir(), 'render-cli-seed-'));
  const out = path.join(dir, 'out', 'seed.html');
  copyFileSync(seedPath, path.join(dir, 'seed.md'));
  return { dir, out, ...runCli(['seed.md', '-o', out], dir) };
}

describe('npm run render (cli)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'render-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the seed deck into one self-contained HTML file', () => {
    const { dir: seedDir, out, ...r } = renderSeed();
    onTestFinished(() => rmSync(seedDir, { recursive: true, force: true }));
    expect(r.stderr).toContain('seed.md:80:24: attention : image distante http://player.slideplayer.com/');
    expect(r.stderr).toContain('seed.md:520:19: attention : image locale introuvable : /data/network-volume.png');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/seed\.html : 76 diapositives/);
    const html = readFileSync(out, 'utf8');
    const { document } = parseHTML(html);
    // No external script or stylesheet reference.
    expect(document.querySelectorAll('script[src]')).toHaveLength(0);
    expect(document.querySelectorAll('link')).toHaveLength(0);
    expect(html).not.toMatch(/@import\s/);
    expect(html).not.toMatch(/url\(\s*["']?(https?:|\.\.?\/)/);
    // Everything inlined: reveal, plugins, Font Awesome font, theme, highlight.js theme.
    expect(html).toContain('src: url(data:font/woff2;base64,');
    expect(html).toMatch(/Reveal\.initialize\(\{\s*"slideNumber": "c\/t",\s*"transition": "convex",\s*"history": true,\s*"plugins": \[RevealNotes, RevealSearch, RevealZoom\]\s*\}\);/);
    expect(document.querySelector('html')!.getAttribute('lang')).toBe('fr');
    expect(document.querySelector('title')!.textContent).toBe('Docker en cluster');
    expect(document.querySelectorAll('div.slides > section > section')).toHaveLength(75);
    expect(html).not.toContain('RevealHighlight'); // no line highlights in the seed
  });

  it('inlines local images and the highlight plugin when line highlights are used', () => {
    mkdirSync(path.join(dir, 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'assets', 'p.png'), PNG);
    writeFileSync(path.join(dir, 'local.md'), '---\ntitle: L\ntheme: night\ninitialization:\n  controls: false\n---\n![p](assets/p.png)\n§break\n§slide:data-background-image=assets/p.png§;\n\n```bash [1|2]\na\nb\n```\n');
    const r = runCli(['local.md', '-o', 'local.html'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const html = readFileSync(path.join(dir, 'local.html'), 'utf8');
    expect(html).toContain(`<img src="data:image/png;base64,${PNG.toString('base64')}" alt="p">`);
    expect(html).toContain(`data-background-image="data:image/png;base64,${PNG.toString('base64')}"`);
    expect(html).toContain('"plugins": [RevealNotes, RevealSearch, RevealZoom, RevealHighlight]');
    expect(html).toContain('"controls": false');
  });

  it('prints file:line:column and a hint, and exits 1, on an error', () => {
    writeFileSync(path.join(dir, 'bad.md'), '---\ntitle: T\n---\n# x\n\n  §icon:githb§;\n');
    const r = runCli(['bad.md', '-o', 'bad.html'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('bad.md:6:3: icône Font Awesome 4.7 inconnue « githb »\n  → noms proches : github, git, th, gitlab\n');
    expect(existsSync(path.join(dir, 'bad.html'))).toBe(false);
  });

  it('needs --lab-placeholder for §lab without the server', () => {
    writeFileSync(path.join(dir, 'lab.md'), '---\ntitle: T\n---\n## TP\n\n§lab:init/ex1§;\n');
    const bad = runCli(['lab.md', '-o', 'lab.html'], dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^lab\.md:6:1: §lab:init\/ex1§; : aucun TP disponible/);
    const ok = runCli(['lab.md', '-o', 'lab.html', '--lab-placeholder'], dir);
    expect(ok.status).toBe(0);
    const html = readFileSync(path.join(dir, 'lab.html'), 'utf8');
    const section = parseHTML(html).document.querySelector('section.lab-slide')!;
    expect([section.getAttribute('data-lab'), section.getAttribute('data-exercise')]).toEqual(['init', 'ex1']);
    expect(html).toContain('Travaux pratiques « init / ex1 »');
  });

  it('recognises a course index by its chapters', () => {
    expect(isCourseIndex('---\ntitle: C\nchapters:\n  - a.md\n---\n')).toBe(true);
    expect(isCourseIndex('---\ntitle: C\n---\nchapters: dans le texte\n')).toBe(false);
  });
});

describe.skipIf(!hasChromium)('npm run render (cli): the standalone page in Chromium', () => {
  let seed: ReturnType<typeof renderSeed>;
  beforeAll(() => {
    seed = renderSeed();
  });
  afterAll(() => rmSync(seed.dir, { recursive: true, force: true }));

  it('opens from file:// with reveal, fragments and hash navigation working', async () => {
    expect(seed.status, seed.stderr).toBe(0);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on('request', (r) => {
        if (!/^(file|data):/.test(r.url())) external.push(r.url());
      });
      // Hotlinked images are the only network requests (they were warned about).
      await page.route(/^https?:/, (route) => route.abort());
      await page.goto(`file://${seed.out}#/sommaire`);
      await page.waitForFunction(() => (window as unknown as { Reveal?: { isReady(): boolean } }).Reveal?.isReady() === true, null, { timeout: 30_000 });
      const state = await page.evaluate(() => {
        const R = (window as unknown as { Reveal: { getTotalSlides(): number; getIndices(): { h: number; v: number }; getConfig(): Record<string, unknown>; getPlugins(): Record<string, unknown>; slide(h: number, v: number, f?: number): void; nextFragment(): boolean } }).Reveal;
        const indices = R.getIndices();
        const icon = document.querySelector('i.fa-github')!;
        const font = getComputedStyle(icon, '::before').fontFamily;
        R.slide(4, 8, -1);
        R.nextFragment();
        const step0 = [...document.querySelectorAll('section.present .fragment.visible')].map((e) => (e.textContent ?? '').trim());
        return { total: R.getTotalSlides(), indices, font, history: R.getConfig().history, plugins: Object.keys(R.getPlugins()).sort(), step0 };
      });
      expect(state.total).toBe(76);
      expect(state.indices).toMatchObject({ h: 1, v: 3 });
      expect(state.font).toBe('FontAwesome');
      expect(state.history).toBe(true);
      expect(state.plugins).toEqual(['notes', 'search', 'zoom']);
      // Authored indices 1,2,2,1,3,3: the first step shows both index-1 paragraphs.
      expect(state.step0).toEqual(['Quoi\u202f?', 'Comment\u202f?']);
      // The speaker view (key S) of the standalone file is in French too.
      const [view] = await Promise.all([browser.context.waitForEvent('page'), page.keyboard.press('s')]);
      await view.waitForFunction(() => document.querySelector('#upcoming-slide .label') !== null);
      expect(await view.evaluate(() => [document.documentElement.lang, document.title, document.querySelector('#upcoming-slide .label')?.textContent])).toEqual(['fr', 'Vue présentateur', 'À suivre']);
      await view.close();
      expect(browser.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
      expect(external.every((u) => /\.(png|jpe?g)|rs=w:1280/.test(u))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
