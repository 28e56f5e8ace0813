// npm run bench:hmr [-- --runs N] [--load N] [--update-baseline]
//
// Hot update under load: the deck's Vite dev server on a copy of slides/, the page open in
// Chromium, while N processes burn CPU (default: one per core, on top of whatever the machine
// already runs). Each run edits one chapter and measures the time from the file write to the
// edited text on screen (goal: under 300 ms), and the part of it spent in the page. Also the
// render after an edit with the per-chapter cache against a full render, without a browser.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createServer, mergeConfig } from 'vite';
import { labRenderer } from '../src/labs/markup';
import { BodyCache, renderCourse } from '../src/render/index.js';
import { launchChromium } from '../test/chromium';
import { DECK_ROOT, deckViteConfig } from '../src/deck/build';
import { median, quantile, readBaseline, report, writeBaseline, type Figures } from './baseline';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = option('--runs', 10);
const load = option('--load', os.cpus().length);
const GOAL_MS = 300;
const CHAPTER = '04-services.md';
const TEXT = 'Restreindre les nœuds';

const slides = mkdtempSync(path.join(os.tmpdir(), 'bench-hmr-'));
cpSync(path.join(DECK_ROOT, 'slides'), slides, { recursive: true });
const chapter = path.join(slides, CHAPTER);
const index = path.join(slides, 'index.md');
const original = readFileSync(chapter, 'utf8');
if (!original.includes(TEXT)) throw new Error(`${CHAPTER} ne contient plus « ${TEXT} » : mettez à jour bench/hmr.ts`);

const times = (xs: number[]): Figures => ({ median: Math.round(median(xs)), p95: Math.round(quantile(xs, 0.95)), max: Math.round(Math.max(...xs)) });

// Render after an edit, without a browser: full render vs. the cache (one chapter rendered again).
const lab = labRenderer(path.join(DECK_ROOT, 'labs'));
const full: number[] = [];
const cached: number[] = [];
const cache = new BodyCache();
renderCourse(index, { lab, cache });
for (let i = 0; i < runs; i++) {
  writeFileSync(chapter, original.replace(TEXT, `${TEXT} (rendu ${i})`));
  let t = performance.now();
  renderCourse(index, { lab });
  full.push(performance.now() - t);
  t = performance.now();
  renderCourse(index, { lab, cache });
  cached.push(performance.now() - t);
}
writeFileSync(chapter, original);

const burners: ChildProcess[] = [];
const server = await createServer(
  mergeConfig(deckViteConfig({ index, watch: [slides] }), {
    configFile: false,
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1' },
    optimizeDeps: { noDiscovery: true, include: [] },
  }),
);
const browser = await launchChromium();
const edits: number[] = [];
const inPage: number[] = [];
try {
  await server.listen();
  const base = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}/`;
  const page = await browser.newPage();
  await page.goto(`${base}#/placement`);
  await page.waitForFunction(() => window.__deckReady === true, undefined, { timeout: 120_000 });
  for (let i = 0; i < load; i++) burners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i <= runs; i++) {
    const marker = `${TEXT} (modif ${i})`;
    const t0 = performance.now();
    writeFileSync(chapter, original.replace(TEXT, marker));
    await page.waitForFunction((m) => document.getElementById('placement')?.textContent?.includes(m), marker, { polling: 'raf', timeout: 30_000 });
    // The first edit after page load warms Vite's watcher up: not counted.
    if (i === 0) continue;
    edits.push(performance.now() - t0);
    inPage.push(await page.evaluate(() => window.__deckUpdateMs ?? NaN));
  }
} finally {
  for (const b of burners) b.kill();
  await browser.close();
  await server.close();
  rmSync(slides, { recursive: true, force: true });
}

const figures: Record<string, Figures> = {
  'edit → page updated, ms': times(edits),
  'of which in the page, ms': times(inPage),
  'render after an edit, cached, ms': times(cached),
  'full render, ms': times(full),
};
report(`bench:hmr, ${runs} edits of slides/${CHAPTER} (Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}, ${load} CPU burners)`, figures, readBaseline('hmr'));
const m = median(edits);
console.log(`  goal: edit → page updated under ${GOAL_MS} ms under load: ${m < GOAL_MS ? 'met' : 'NOT met'} (median ${Math.round(m)} ms)`);
if (args.includes('--update-baseline')) writeBaseline('hmr', figures);
