// npm run pdf [-- --notes | --notes=separate-page] [-- -o out.pdf] [-- --url http://…] [-- --out-dir DIR] [-- --no-build]
//
// Exports the course to PDF: builds the deck when needed in a folder of its own (.cache/pdf/,
// never dist/, which may have been built for another path with --base), or takes --out-dir or
// --url; serves the build on 127.0.0.1 with a random port under the path it was built for,
// opens `?print-pdf` in Chromium (playwright-core), waits for reveal's PDF layout, the fonts and
// the images, and prints one page per slide (a lab slide continues over as many pages as its exercises need:
// src/lab/print.ts). When the deck's files fail to load it says which.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer, type StaticServer } from '../server/http/static';
import { buildDeck, needsBuild } from '../src/deck/build';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the export builds the deck for itself (relative URLs, served at the root). */
export const PDF_BUILD_DIR = path.join(ROOT, '.cache', 'pdf');

/**
 * The path a built deck expects to be served under: `/` for the relative URLs of the default
 * build (`./deck/…`), `/cours-swarm/` for `npm run build -- --base=/cours-swarm/`.
 */
export function builtBase(outDir: string): string {
  const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  const src = /<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/.exec(html)?.[1] ?? /<script\b[^>]*\bsrc="([^"]+)"[^>]*\btype="module"/.exec(html)?.[1];
  if (!src || !src.startsWith('/') || src.startsWith('//')) return '/';
  const at = src.indexOf('/deck/');
  return at >= 0 ? src.slice(0, at + 1) : '/';
}

export interface PdfOptions {
  /** A deck URL (skips build and server). */
  url?: string;
  /** A built deck to serve (default: the export's own build in .cache/pdf/). */
  outDir?: string;
  /** PDF path (default docker-en-cluster.pdf in outDir when given, else in dist/). */
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
  const outDir = options.outDir ? path.resolve(options.outDir) : PDF_BUILD_DIR;
  const output = path.resolve(options.output ?? path.join(options.outDir ? outDir : path.join(ROOT, 'dist'), 'docker-en-cluster.pdf'));
  let served: StaticServer | undefined;
  let base = options.url;
  if (!base) {
    const mode = options.build ?? 'auto';
    if (mode === true || (mode === 'auto' && needsBuild(outDir))) {
      log(`Construction du diaporama pour l’export dans ${path.relative(process.cwd(), outDir) || '.'}…`);
      await buildDeck(outDir);
    }
    if (!existsSync(path.join(outDir, 'index.html'))) throw new Error(`${outDir}/index.html manque : lancez npm run pdf sans --no-build (l’export construit le diaporama)`);
    // Served under the path it was built for (a Pages build with --base=/cours-swarm/ too).
    served = await startStaticServer(outDir, builtBase(outDir));
    base = served.url;
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium introuvable (${CHROMIUM_PATH}) : apt-get install -y chromium, ou CHROMIUM_PATH=…`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The deck's own files (scripts, styles) that did not load: said at once, in French.
    const origin = new URL(base).origin;
    let assetsFailed: (reason: Error) => void = () => undefined;
    const assetsFailure = new Promise<never>((_, reject) => (assetsFailed = reject));
    assetsFailure.catch(() => undefined);
    const failedAsset = (url: string, why: string): void => {
      if (new URL(url).origin !== origin || !/\.(?:m?js|css)(?:[?#]|$)/.test(url)) return;
      assetsFailed(
        new Error(
          `les fichiers du diaporama ne se chargent pas (${new URL(url).pathname} : ${why}). ` +
            (options.url ? `Vérifiez que ${options.url} sert bien le diaporama construit.` : `Le dossier ${outDir} a-t-il été construit pour un autre chemin ? Relancez avec --build.`),
        ),
      );
    };
    page.on('response', (r) => {
      if (r.status() >= 400) failedAsset(r.url(), `HTTP ${r.status()}`);
    });
    page.on('requestfailed', (r) => failedAsset(r.url(), r.failure()?.errorText ?? 'échec'));
    const url = new URL(base);
    url.search = options.notes === 'separate-page' ? '?print-pdf&showNotes=separate-page' : options.notes ? '?print-pdf&showNotes=true' : '?print-pdf';
    url.hash = '';
    log(`Ouverture de ${url.href}`);
    await Promise.race([page.goto(url.href, { waitUntil: 'load' }), assetsFailure]);
    await Promise.race([
      page.waitForFunction(() => window.__deckReady === true, undefined, { timeout: 60_000 }).catch(() => {
        throw new Error(`le diaporama n’a pas fini sa mise en page PDF en 60 s${errors.length ? ` : ${errors.join(' ; ')}` : ''}`);
      }),
      assetsFailure,
    ]);
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
