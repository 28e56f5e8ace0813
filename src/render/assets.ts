/**
 * Where the renderer finds the installed front-end packages (reveal.js themes, Font Awesome),
 * and the lists it validates authors' names against. Read once, lazily.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** `node_modules/reveal.js/dist` */
export function revealDistDir(): string {
  return path.dirname(require.resolve('reveal.js'));
}

/** `node_modules/font-awesome` */
export function fontAwesomeDir(): string {
  return path.dirname(path.dirname(require.resolve('font-awesome/css/font-awesome.css')));
}

/** `node_modules/highlight.js/styles` */
export function highlightStylesDir(): string {
  return path.join(path.dirname(require.resolve('highlight.js/package.json')), 'styles');
}

let themes: string[] | undefined;
/** Theme names shipped by reveal.js (`dist/theme/*.css`). */
export function revealThemes(): string[] {
  themes ??= readdirSync(path.join(revealDistDir(), 'theme'))
    .filter((f) => f.endsWith('.css'))
    .map((f) => f.slice(0, -4))
    .sort();
  return themes;
}

let icons: Set<string> | undefined;
/** Font Awesome 4.7 icon names (without `fa-`), aliases included (`gear` and `cog`). */
export function fontAwesomeIcons(): Set<string> {
  if (!icons) {
    const css = readFileSync(path.join(fontAwesomeDir(), 'css', 'font-awesome.css'), 'utf8');
    icons = new Set();
    for (const m of css.matchAll(/\.fa-([a-z0-9-]+):before/g)) icons.add(m[1]!);
  }
  return icons;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to `max` names close to `name` (edit distance, then shared substring). */
export function closeNames(name: string, candidates: Iterable<string>, max = 5): string[] {
  const scored: { n: string; d: number }[] = [];
  for (const c of candidates) {
    let d = levenshtein(name, c);
    if (c.includes(name) || name.includes(c)) d = Math.min(d, 1.5);
    scored.push({ n: c, d });
  }
  scored.sort((x, y) => x.d - y.d || x.n.localeCompare(y.n));
  const limit = Math.max(2, Math.ceil(name.length / 3));
  return scored.filter((s) => s.d <= limit).slice(0, max).map((s) => s.n);
}
