// npm run size [-- dist-dir]: what the built site costs a learner's browser, compressed (gzip -9).
//
// First slide: index.html's module script, its modulepreload links and, transitively, their
// static imports (`import … from "./x.js"`, `import "./x.js"`, `export … from "./x.js"`);
// dynamic `import()` is what loads later. Lazy chunks: every other JavaScript file, named after
// its Vite chunk (lab = the lab UI with xterm.js, player = asciinema-player), each with what it
// statically imports beyond the first slide. Exits 1 when the first slide's JavaScript is over
// budget, or when xterm.js or the player ends up in it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Compressed JavaScript the first slide may load. */
export const FIRST_SLIDE_BUDGET = 250 * 1000;

export interface FileSize {
  file: string;
  bytes: number;
  gzip: number;
}

export interface SizeReport {
  firstSlide: FileSize[];
  firstSlideCss: FileSize[];
  lazy: { name: string; files: FileSize[]; css: FileSize[] }[];
  firstSlideGzip: number;
  problems: string[];
}

function sizeOf(dist: string, rel: string): FileSize {
  const data = readFileSync(path.join(dist, rel));
  return { file: rel, bytes: data.length, gzip: gzipSync(data, { level: 9 }).length };
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

/** A URL of index.html or of a module, as a path relative to dist/ (null: not a local file). */
function local(from: string, url: string): string | null {
  if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(url)) return null;
  const clean = url.split(/[?#]/)[0]!;
  const rel = clean.startsWith('/') ? clean.slice(1) : path.posix.join(path.posix.dirname(from), clean);
  return path.posix.normalize(rel);
}

/** Static imports of an ES module (Vite's minified output). */
export function staticImports(code: string): string[] {
  const out = new Set<string>();
  const re = /(?:^|[;}\s])(?:import\s*(?:[\w$*{}\s,]+?\s*from\s*)?|export\s*(?:\*|\{[^}]*\})\s*from\s*)(["'`])([^"'`]+)\1/g;
  for (const m of code.matchAll(re)) out.add(m[2]!);
  return [...out];
}

function closure(dist: string, entries: string[]): string[] {
  const seen = new Set<string>();
  const visit = (rel: string): void => {
    if (seen.has(rel) || !existsSync(path.join(dist, rel))) return;
    seen.add(rel);
    for (const spec of staticImports(readFileSync(path.join(dist, rel), 'utf8'))) {
      const dep = local(rel, spec);
      if (dep && dep.endsWith('.js')) visit(dep);
    }
  };
  entries.forEach(visit);
  return [...seen];
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)?.slice(1).find((v) => v !== undefined);
}

export function measure(dist: string): SizeReport {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entries: string[] = [];
  const css: string[] = [];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    const isScript = /^<script/i.test(tag);
    const rel = (attr(tag, 'rel') ?? '').toLowerCase();
    const url = isScript ? attr(tag, 'src') : attr(tag, 'href');
    if (!url) continue;
    const file = local('index.html', url);
    if (!file) continue;
    if (isScript || rel === 'modulepreload') entries.push(file);
    else if (rel === 'stylesheet') css.push(file);
  }
  const problems: string[] = [];
  if (!entries.length) problems.push('index.html ne charge aucun script');
  for (const e of [...entries, ...css]) if (!existsSync(path.join(dist, e))) problems.push(`index.html référence ${e}, absent de ${dist}`);
  const first = closure(dist, entries);
  const firstSet = new Set(first);
  const firstSlide = first.map((f) => sizeOf(dist, f));
  const firstSlideGzip = firstSlide.reduce((n, f) => n + f.gzip, 0);

  // Lazy chunks: every other JS file, grouped by Vite's chunk name (`lab-HASH.js` → lab).
  const all = listFiles(dist);
  const lazyJs = all.filter((f) => f.endsWith('.js') && !firstSet.has(f));
  const groups = new Map<string, string[]>();
  for (const f of lazyJs) {
    const name = path.posix.basename(f).replace(/-[\w-]{8}\.js$/, '').replace(/\.js$/, '');
    groups.set(name, [...(groups.get(name) ?? []), f]);
  }
  const lazy = [...groups].map(([name, files]) => ({
    name,
    files: closure(dist, files)
      .filter((f) => !firstSet.has(f))
      .map((f) => sizeOf(dist, f)),
    css: all.filter((f) => f.endsWith('.css') && path.posix.basename(f).replace(/-[\w-]{8}\.css$/, '') === name).map((f) => sizeOf(dist, f)),
  }));

  if (firstSlideGzip > FIRST_SLIDE_BUDGET) problems.push(`le JavaScript de la première diapositive pèse ${kb(firstSlideGzip)} compressé, au-delà du budget de ${kb(FIRST_SLIDE_BUDGET)}`);
  for (const f of first) {
    const code = readFileSync(path.join(dist, f), 'utf8');
    if (/xterm-helper-textarea|xterm-screen/.test(code)) problems.push(`xterm.js est chargé dès la première diapositive (${f}) : il doit rester dans le chunk des TP`);
    if (/asciinema|ap-wrapper/.test(code)) problems.push(`asciinema-player est chargé dès la première diapositive (${f}) : il doit rester paresseux`);
  }
  return { firstSlide, firstSlideCss: css.filter((f) => existsSync(path.join(dist, f))).map((f) => sizeOf(dist, f)), lazy, firstSlideGzip, problems };
}

function kb(n: number): string {
  return `${(n / 1000).toFixed(1)} kB`;
}

function table(report: SizeReport): string {
  const rows: [string, string, string, string][] = [['chargé', 'fichier', 'taille', 'gzip']];
  for (const f of report.firstSlide) rows.push(['1re diapositive', f.file, kb(f.bytes), kb(f.gzip)]);
  rows.push(['1re diapositive', 'total JavaScript', '', `${kb(report.firstSlideGzip)} / ${kb(FIRST_SLIDE_BUDGET)}`]);
  for (const f of report.firstSlideCss) rows.push(['1re diapositive (CSS)', f.file, kb(f.bytes), kb(f.gzip)]);
  for (const g of report.lazy) {
    const label = g.name === 'lab' ? 'paresseux : TP (xterm.js)' : g.name === 'player' ? 'paresseux : lecteur' : `paresseux : ${g.name}`;
    for (const f of g.files) rows.push([label, f.file, kb(f.bytes), kb(f.gzip)]);
    for (const f of g.css) rows.push([`${label} (CSS)`, f.file, kb(f.bytes), kb(f.gzip)]);
    if (g.files.length > 1) rows.push([label, 'total JavaScript', '', kb(g.files.reduce((n, f) => n + f.gzip, 0))]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const dist = path.resolve(process.argv[2] ?? 'dist');
  if (!existsSync(path.join(dist, 'index.html')) || !statSync(dist).isDirectory()) {
    console.error(`${dist}/index.html introuvable : lancez d’abord « npm run build ».`);
    process.exit(1);
  }
  const report = measure(dist);
  console.log(table(report));
  if (report.problems.length) {
    for (const p of report.problems) console.error(`✘ ${p}`);
    process.exit(1);
  }
  console.log(`✔ première diapositive : ${kb(report.firstSlideGzip)} de JavaScript compressé (budget ${kb(FIRST_SLIDE_BUDGET)})`);
}
