import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/baseline.json: one key per bench; `--update-baseline` rewrites only that key. */
const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'baseline.json');

export type Figures = Record<string, number>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export function readBaseline(key: string): Record<string, Figures> {
  const all = existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>) : {};
  return (all[key] ?? {}) as Record<string, Figures>;
}

export function writeBaseline(key: string, figures: Record<string, Figures>): void {
  const all = existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>) : {};
  all[key] = { ...figures, measured: { node: process.version, cpus: cpus().length, loadavg1: Math.round(loadavg()[0]! * 10) / 10 } };
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
}

/** One line per figure, with its ratio to the baseline (lower is better for times and sizes). */
export function report(title: string, figures: Record<string, Figures>, baseline: Record<string, Figures>): void {
  console.log(`\n${title}`);
  for (const [name, f] of Object.entries(figures)) {
    const b = baseline[name];
    const cells = Object.entries(f).map(([k, v]) => {
      const ratio = b?.[k] ? ` (×${(v / b[k]!).toFixed(2)})` : '';
      return `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}${ratio}`;
    });
    console.log(`  ${name.padEnd(28)} ${cells.join(', ')}`);
  }
  console.log(Object.keys(baseline).length ? '  (× = ratio to bench/baseline.json)' : '  (no baseline yet: run with --update-baseline)');
}
