// npm run pdf [-- --notes | --notes=separate-page] [-- -o out.pdf] [-- --url http://…] [-- --out-dir dist] [-- --no-build]
//
// Exports the course to PDF: builds the deck when needed (or takes --url), serves dist/ on
// 127.0.0.1 with a random port, opens `?print-pdf` in Chromium (playwright-core), waits for
// reveal's PDF layout, the fonts and the images, and prints one page per slide (a lab slide
// continues over as many pages as its exercises need: src/lab/print.ts).
import { existsSync, mkdirSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer, type StaticServer } from '../server/http/static';
import { buildDeck } from '../vite.config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) if (e !== 'node_modules') max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

/** True when dist/ is missing or older than the sources of the deck. */
export function needsBuild(outDir: string): boolean {
  const built = path.join(outDir, 'index.html');
  if (!existsSync(built)) return true;
  const t = statSync(built).mtimeMs;
  const sources = ['slides', 'labs', 'src', 'index.html', 'vite.config.ts'].map((p) => path.join(ROOT, p));
  return sources.some((s) => newestMtime(s) > t);
}

export interface PdfOptions {
  /** A deck URL (skips build and server). */
  url?: string;
  /** The built deck (default dist/), served when no url is given. */
  outDir?: string;
  /** PDF path (default <outDir>/docker-en-cluster.pdf). */
  output?: string;
  /** Print the speaker notes: on each slide's page (true) or on a page of their own. */
  notes?: boolean | 'separate-page';
  /** Build even if dist/ looks up to date (`false`: never build). */
  build?: boolean | 'auto';
  log?: (msg: string) => void;
}

export interface PdfResult {
  output: string;
  /** Slides reveal laid out (one page each, lab slides one or more). */
  slides: number;
  /** Pages of the PDF. */
  pages: number;
  bytes: number;
}

export async function exportPdf(options: PdfOptions = {}): Promise<PdfResult> {
  const log = options.log ?? ((m: string) => console.log(m));
  const outDir = path.resolve(ROOT, options.outDir ?? 'dist');
  const output = path.resolve(options.output ?? path.join(outDir, 'docker-en-cluster.pdf'));
  let served: StaticServer | undefined;
  let base = options.url;
  if (!base) {
    const mode = options.build ?? 'auto';
    if (mode === true || (mode === 'auto' && needsBuild(outDir))) {
      log(`Construction du diaporama dans ${path.relative(process.cwd(), outDir) || '.'}…`);
      await buildDeck(outDir);
    }
    if (!existsSync(path.join(outDir, 'index.html'))) throw new Error(`${outDir}/index.html manque : lancez npm run build`);
    served = await startStaticServer(outDir);
    base = served.url;
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium introuvable (${CHROMIUM_PATH}) : apt-get install -y chromium, ou CHROMIUM_PATH=…`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const url = new URL(base);
    url.search = options.notes === 'separate-page' ? '?print-pdf&showNotes=separate-page' : options.notes ? '?print-pdf&showNotes=true' : '?print-pdf';
    url.hash = '';
    log(`Ouverture de ${url.href}`);
    await page.goto(url.href, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__deckReady === true, undefined, { timeout: 60_000 }).catch(() => {
      throw new Error(`le diaporama n'a pas fini sa mise en page PDF${errors.length ? ` : ${errors.join(' ; ')}` : ''}`);
    });
    await page.evaluate(async () => {
      await document.fonts.ready;
      const imgs = [...document.images];
      await Promise.all(
        imgs.map((img) =>
          img.complete ? undefined : new Promise<void>((resolve) => {
            img.addEventListener('load', () => resolve(), { once: true });
            img.addEventListener('error', () => resolve(), { once: true });
          }),
        ),
      );
    });
    // Lab slides continue over pages of their own (src/lab/print.ts marks them).
    const { slides, pages } = await page.evaluate(() => ({
      slides: document.querySelectorAll('.reveal .pdf-page:not(.lab-print-continuation)').length,
      pages: document.querySelectorAll('.reveal .pdf-page').length,
    }));
    mkdirSync(path.dirname(output), { recursive: true });
    await page.pdf({ path: output, preferCSSPageSize: true, printBackground: true });
    const bytes = statSync(output).size;
    log(`PDF : ${output} (${slides} diapositives sur ${pages} pages, ${(bytes / 1024).toFixed(0)} Kio)`);
    return { output, slides, pages, bytes };
  } finally {
    await browser.close();
    await served?.close();
  }
}

function parseArgs(argv: string[]): PdfOptions {
  const o: PdfOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} attend une valeur`);
      return v;
    };
    if (a === '--notes') o.notes = true;
    else if (a === '--notes=separate-page') o.notes = 'separate-page';
    else if (a === '-o' || a === '--output') o.output = value();
    else if (a === '--url') o.url = value();
    else if (a === '--out-dir') o.outDir = value();
    else if (a === '--build') o.build = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '-h' || a === '--help') {
      console.log('npm run pdf -- [--notes | --notes=separate-page] [-o fichier.pdf] [--url URL] [--out-dir dist] [--build | --no-build]');
      process.exit(0);
    } else throw new Error(`option inconnue : ${a}`);
  }
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  exportPdf(parseArgs(process.argv.slice(2))).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

declare global {
  interface Window {
    __deckReady?: boolean;
  }
}
