/**
 * npm run render -- <deck.md | slides/index.md> [-o out.html] [--lab-placeholder]
 *
 * Writes one self-contained HTML presentation. A file whose front matter lists `chapters:` is
 * rendered as the course (renderCourse), any other as a single deck (renderDeck).
 * Errors print `file:line:column: message` and a hint, and exit with status 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatWarning, renderCourse, renderDeck, RenderError, type LabRef, type RenderOptions, type RenderResult } from './index.js';
import { standalonePage } from './standalone.js';
import { escapeHtml } from '../shared/html.js';

const USAGE = `usage : npm run render -- <deck.md | slides/index.md> [-o sortie.html] [--lab-placeholder]

  -o, --out            fichier HTML à écrire (défaut : <nom du deck>.html dans le dossier courant)
  --lab-placeholder    rend chaque §lab:…§; par un encart statique (les TP interactifs
                       demandent le serveur du cours : npm start)`;

/** Static stand-in for lab slides in an exported file (the interactive lab needs the server). */
export function labPlaceholder(ref: LabRef): string {
  const name = ref.exercise ? `${ref.lab} / ${ref.exercise}` : ref.lab;
  const esc = escapeHtml(name);
  return `<div class="lab-placeholder"><p><i class="fa fa-terminal" aria-hidden="true"></i> Travaux pratiques « ${esc} » : ouvrez le cours avec son serveur (npm start) pour obtenir le terminal et la vérification.</p></div>`;
}

export function isCourseIndex(text: string): boolean {
  const fm = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text.replace(/^\uFEFF/, ''));
  return fm !== null && /^chapters[ \t]*:/m.test(fm[1]!);
}

export function main(argv: string[]): number {
  let input: string | undefined;
  let out: string | undefined;
  let placeholder = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-o' || a === '--out') out = argv[++i];
    else if (a === '--lab-placeholder') placeholder = true;
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else if (!a.startsWith('-') && input === undefined) input = a;
    else {
      console.error(`argument inattendu : ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (!input || (out !== undefined && out === '')) {
    console.error(USAGE);
    return 2;
  }
  const output = out ?? `${path.basename(input, path.extname(input))}.html`;
  const options: RenderOptions = placeholder ? { lab: labPlaceholder } : {};
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (e) {
    console.error(`${input}: fichier illisible (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return 1;
  }
  const display = path.relative(process.cwd(), path.resolve(input)) || input;
  try {
    const t0 = performance.now();
    const result: RenderResult = isCourseIndex(text) ? renderCourse(input, options) : renderDeck({ path: display, text }, options);
    const files = [...new Set(result.slides.map((s) => s.file))];
    const texts = new Map(files.map((f) => [f, f === display ? text : readFileSync(path.resolve(f), 'utf8')]));
    const locate = (url: string) => {
      for (const [file, src] of texts) {
        const at = src.indexOf(url);
        if (at >= 0) {
          const before = src.slice(0, at).split('\n');
          return { file, line: before.length, column: before[before.length - 1]!.length + 1 };
        }
      }
      return undefined;
    };
    const page = standalonePage(result, { baseDir: path.dirname(path.resolve(input)), source: display, locate });
    mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
    writeFileSync(output, page.html);
    for (const w of [...result.warnings, ...page.warnings]) console.error(`${formatWarning(w).replace(/^([^:]+:\d+:\d+): /, '$1: attention : ')}`);
    const ms = Math.round(performance.now() - t0);
    console.log(`${output} : ${result.slides.length} diapositives, ${(page.html.length / 1024).toFixed(0)} Kio, ${ms} ms`);
    return 0;
  } catch (e) {
    if (e instanceof RenderError) {
      console.error(e.message);
      if (e.hint) console.error(`  → ${e.hint}`);
      return 1;
    }
    throw e;
  }
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]).replace(/\.[cm]?[jt]s$/, '') === path.resolve(import.meta.dirname ?? '', 'cli');
if (invokedDirectly) process.exitCode = main(process.argv.slice(2));
