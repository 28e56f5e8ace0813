// `npm run pdf` end to end: build, serve, print in Chromium; one PDF page per slide, lab slides
// in full over the pages they need. The text of the PDF (pdftotext, Debian poppler-utils)
// holds every exercise of every lab: title, instructions, commands, what the checker verifies.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllLabs } from '../src/labs/loader';
import { describeCondition, labRenderer } from '../src/labs/markup';
import { renderCourse, renderMarkdownFragment } from '../src/render/index';
import { actionLabel } from '../src/shared/lab-contract';
import { chromiumOrSkip } from './chromium';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const hasChromium = chromiumOrSkip('pdf');

function pdftotextOrSkip(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    const msg = 'pdftotext introuvable : « pdf » ne peut pas lire le texte du PDF. Installez-le (apt-get install -y poppler-utils).';
    if (process.env.CI) throw new Error(msg);
    console.warn(`\n\n*** TEST PDF IGNORÉ *** ${msg}\n\n`);
    return false;
  }
}
const hasPdftotext = pdftotextOrSkip();

/** Pages of a PDF, counted two ways: page objects, and the page tree's root /Count. */
function pdfPageCount(pdf: Buffer): { objects: number; count: number } {
  const text = pdf.toString('latin1');
  const objects = [...text.matchAll(/\/Type\s*\/Page(?![a-zA-Z])/g)].length;
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] ?? m[2]));
  return { objects, count: counts.length ? Math.max(...counts) : 0 };
}

/**
 * Text compared without white space or hyphens: the PDF wraps lines where the page is full
 * (inside a long command too), pdftotext turns them into line breaks, and it joins a word cut
 * after a hyphen at the end of a line, dropping the hyphen (`--health-⏎interval` reads
 * `--healthinterval`). NFKC undoes ligatures.
 */
const squash = (s: string) => s.normalize('NFKC').replace(/[\s\-\u2010\u2011]+/gu, '');

/** The text a learner reads from some lab Markdown (as the slide renders it). */
function markdownText(md: string, inline: boolean): string[] {
  const { document } = parseHTML(`<div id="x">${renderMarkdownFragment(md, { inline })}</div>`);
  const root = document.getElementById('x')!;
  if (inline) return [root.textContent ?? ''];
  // Each paragraph, list item or code block (a page may end between two of them).
  const leaves = [...root.querySelectorAll('p, li, pre')].filter((e) => !e.querySelector('p, li, pre'));
  return (leaves.length ? leaves : [root]).map((e) => e.textContent ?? '');
}

interface Expected {
  where: string;
  text: string;
}

/** What the PDF must show of every lab: each exercise's title, instructions, commands and checks. */
function expectedLabTexts(): Expected[] {
  const out: Expected[] = [];
  for (const lab of loadAllLabs(path.join(ROOT, 'labs'), ROOT)) {
    out.push({ where: `${lab.id} (titre)`, text: markdownText(lab.title, true)[0]! });
    for (const e of lab.exercises) {
      const at = (what: string) => `${lab.id}/${e.id} ${what}`;
      out.push({ where: at('titre'), text: markdownText(e.title, true)[0]! });
      for (const t of markdownText(e.instructions, false)) out.push({ where: at('consigne'), text: t });
      for (const c of [...e.commands, ...e.solution]) {
        out.push({ where: at(`commande sur ${c.node}`), text: 'action' in c ? actionLabel(c.action, c.node) : c.run });
      }
      for (const c of e.conditions) {
        out.push({ where: at('condition'), text: markdownText(c.message, true)[0]! });
        out.push({ where: at('critère'), text: describeCondition(c) });
      }
    }
  }
  return out;
}

describe.skipIf(!hasChromium)('export PDF (npm run pdf)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'deck-pdf-'));
  const out = path.join(tmp, 'cours.pdf');
  let stdout = '';
  beforeAll(async () => {
    ({ stdout } = await run('npx', ['tsx', 'scripts/pdf.ts', '--build', '--out-dir', path.join(tmp, 'dist'), '-o', out], { cwd: ROOT, timeout: 400_000 }));
  }, 420_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('une page par diapositive, les diapositives de TP sur autant de pages qu’il leur faut', () => {
    const course = renderCourse(path.join(ROOT, 'slides/index.md'), { lab: labRenderer(path.join(ROOT, 'labs')) });
    const slides = course.slides.length;
    const pdf = readFileSync(out);
    const pages = pdfPageCount(pdf);
    const reported = /\((\d+) diapositives sur (\d+) pages/.exec(stdout);
    console.log(`[pdf] ${stdout.trim().split('\n').pop()} — ${pages.objects} pages, ${slides} diapositives`);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(slides).toBeGreaterThan(10);
    expect(reported, stdout).not.toBeNull();
    expect(Number(reported![1])).toBe(slides);
    expect(pages.objects).toBe(Number(reported![2]));
    expect(pages.count).toBe(pages.objects);
    // Every lab needs more than its one slide page on paper.
    const labSlides = (course.html.match(/<div class="lab" data-lab=/g) ?? []).length;
    expect(labSlides).toBeGreaterThan(0);
    expect(pages.objects).toBeGreaterThanOrEqual(slides + labSlides);
  });

  it.skipIf(!hasPdftotext)('le texte du PDF contient chaque exercice, consigne, commande et vérification de chaque TP', async () => {
    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', out, '-'], { maxBuffer: 64 * 1024 * 1024 });
    const haystack = squash(text);
    const expected = expectedLabTexts();
    expect(expected.length).toBeGreaterThan(200);
    const missing = expected.filter((x) => !haystack.includes(squash(x.text))).map((x) => `${x.where} : ${x.text}`);
    expect(missing).toEqual([]);
  });

  it('--notes imprime les notes sur la page de leur diapositive', async () => {
    const notes = path.join(tmp, 'notes.pdf');
    const { stdout: notesOut } = await run('npx', ['tsx', 'scripts/pdf.ts', '--no-build', '--out-dir', path.join(tmp, 'dist'), '--notes', '-o', notes], { cwd: ROOT, timeout: 400_000 });
    const withNotes = readFileSync(notes);
    const plain = readFileSync(out);
    // As many slides; a lab slide may need a page more beside its notes.
    const slidesOf = (s: string) => Number(/\((\d+) diapositives sur/.exec(s)?.[1]);
    expect(slidesOf(notesOut)).toBe(slidesOf(stdout));
    expect(pdfPageCount(withNotes).objects).toBeGreaterThanOrEqual(pdfPageCount(plain).objects);
    // The notes add text (and the "Notes de l’orateur" label) to the pages that have notes.
    expect(withNotes.length).toBeGreaterThan(plain.length);
  }, 420_000);
});
