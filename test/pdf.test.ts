// `npm run pdf` end to end: build, serve, print in Chromium; one PDF page per slide.
import { labRenderer } from '../src/labs/markup';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCourse } from '../src/render/index';
import { chromiumOrSkip } from './chromium';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const hasChromium = chromiumOrSkip('pdf');

/** Pages of a PDF, counted two ways: page objects, and the page tree's root /Count. */
function pdfPageCount(pdf: Buffer): { objects: number; count: number } {
  const text = pdf.toString('latin1');
  const objects = [...text.matchAll(/\/Type\s*\/Page(?![a-zA-Z])/g)].length;
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] ?? m[2]));
  return { objects, count: counts.length ? Math.max(...counts) : 0 };
}

describe.skipIf(!hasChromium)('export PDF (npm run pdf)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'deck-pdf-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('une page par diapositive', async () => {
    const out = path.join(tmp, 'cours.pdf');
    const t0 = performance.now();
    const { stdout } = await run('npx', ['tsx', 'scripts/pdf.ts', '--build', '--out-dir', path.join(tmp, 'dist'), '-o', out], {
      cwd: ROOT,
      timeout: 180_000,
    });
    const slides = renderCourse(path.join(ROOT, 'slides/index.md'), { lab: labRenderer(path.join(ROOT, 'labs')) }).slides.length;
    const pdf = readFileSync(out);
    const pages = pdfPageCount(pdf);
    console.log(`[pdf] ${stdout.trim().split('\n').pop()} — ${pages.objects} pages, ${slides} diapositives, ${(performance.now() - t0).toFixed(0)} ms`);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(slides).toBeGreaterThan(10);
    expect(pages.objects).toBe(slides);
    expect(pages.count).toBe(slides);
  });

  it('--notes imprime les notes sans ajouter de page', async () => {
    const out = path.join(tmp, 'notes.pdf');
    await run('npx', ['tsx', 'scripts/pdf.ts', '--no-build', '--out-dir', path.join(tmp, 'dist'), '--notes', '-o', out], { cwd: ROOT, timeout: 180_000 });
    const withNotes = readFileSync(out);
    const plain = readFileSync(path.join(tmp, 'cours.pdf'));
    expect(pdfPageCount(withNotes).objects).toBe(pdfPageCount(plain).objects);
    // The notes add text (and the "Notes de l’orateur" label) to the pages that have notes.
    expect(withNotes.length).toBeGreaterThan(plain.length);
  });
});
