/**
 * npm run bench:render [-- --runs N] [--update-baseline]
 *
 * Renders the seed deck (test/fixtures/seed/000_….txt) and the course (slides/index.md, when it
 * exists) N times after a warm-up, prints median and p95 in ms, and the ratio to the baseline
 * in bench/baseline.json (key `render`). --update-baseline rewrites that key only.
 */
import { labRenderer } from '../src/labs/markup';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCourse, renderDeck } from '../src/render/index.js';
import { SEED_DECK as seedPath, SEED_DISPLAY_PATH } from '../test/fixtures/seed/paths.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const coursePath = path.join(repoRoot, 'slides', 'index.md');
const baselinePath = path.join(repoRoot, 'bench', 'baseline.json');

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 20;
const update = args.includes('--update-baseline');

interface Figures {
  median: number;
  p95: number;
  runs: number;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function measure(fn: () => unknown): Figures {
  for (let i = 0; i < 3; i++) fn(); // warm-up (JIT, lazily loaded icon/theme lists)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { median: round(percentile(times, 50)), p95: round(percentile(times, 95)), runs };
}

const results: Record<string, Figures> = {};
if (!existsSync(seedPath)) {
  console.error(`seed deck not found: ${seedPath}`);
  process.exit(1);
}
const seedText = readFileSync(seedPath, 'utf8');
results.seed = measure(() => renderDeck({ path: SEED_DISPLAY_PATH, text: seedText }));
if (existsSync(coursePath)) {
  // The course may use §lab: give it a placeholder so that only the renderer is measured.
  results.course = measure(() => renderCourse(coursePath, { lab: labRenderer(path.join(repoRoot, 'labs')) }));
} else {
  console.log('slides/index.md absent: course not measured');
}

const baselineFile: Record<string, unknown> = existsSync(baselinePath) ? JSON.parse(readFileSync(baselinePath, 'utf8')) : {};
const baseline = (baselineFile.render ?? {}) as Record<string, Figures>;
console.log(`render, ${runs} runs after warm-up (Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)})`);
for (const [name, f] of Object.entries(results)) {
  const b = baseline[name];
  const ratio = b ? ` | ratio to baseline: median ×${(f.median / b.median).toFixed(2)}, p95 ×${(f.p95 / b.p95).toFixed(2)} (baseline ${b.median} / ${b.p95} ms)` : ' | no baseline';
  console.log(`  ${name.padEnd(6)} median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms${ratio}`);
}
if (update) {
  // Load average recorded with the figures: the machine is shared, numbers are only comparable
  // under similar load.
  baselineFile.render = { ...results, measured: { node: process.version, cpus: cpus().length, loadavg1: Math.round(loadavg()[0]! * 10) / 10 } };
  writeFileSync(baselinePath, JSON.stringify(baselineFile, null, 2) + '\n');
  console.log(`baseline written to ${path.relative(process.cwd(), baselinePath)} (key "render")`);
}
