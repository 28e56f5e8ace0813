// `npm run pdf` and a deck built for another path (`npm run build -- --base=/cours-swarm/`, the
// GitHub Pages build): the export serves it under that path, and when a deck's files cannot
// load it says so at once, in French, instead of waiting 60 s for a layout that never comes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, mergeConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtBase, exportPdf } from '../scripts/pdf';
import { startStaticServer } from '../server/http/static';
import { deckViteConfig } from '../src/deck/build';
import { chromiumOrSkip } from './chromium';

const hasChromium = chromiumOrSkip('pdf export of a deck built with --base');

describe('builtBase: the path a built deck expects', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdf-base-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = (script: string) => {
    writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html><head>${script}</head><body></body></html>`);
    return builtBase(dir);
  };

  it('reads it from the module script of index.html', () => {
    expect(base('<script type="module" crossorigin src="./deck/index-Ab1.js"></script>')).toBe('/');
    expect(base('<script type="module" crossorigin src="/cours-swarm/deck/index-Ab1.js"></script>')).toBe('/cours-swarm/');
    expect(base('<script crossorigin src="/a/b/deck/index.js" type="module"></script>')).toBe('/a/b/');
    expect(base('<script type="module" src="/deck/index.js"></script>')).toBe('/');
    expect(base('<script type="module" src="https://cdn.example/deck/x.js"></script>')).toBe('/');
  });
});

describe.skipIf(!hasChromium)('npm run pdf with a deck built for /cours-swarm/', () => {
  let tmp: string;
  let dist: string;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pdf-pages-build-'));
    dist = path.join(tmp, 'dist');
    await build(mergeConfig(deckViteConfig(), { configFile: false, logLevel: 'silent', base: '/cours-swarm/', build: { outDir: dist, emptyOutDir: true } }));
  }, 600_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('serves the build under its path and prints every slide', async () => {
    expect(builtBase(dist)).toBe('/cours-swarm/');
    const output = path.join(tmp, 'cours.pdf');
    const result = await exportPdf({ outDir: dist, build: false, output, log: () => undefined });
    expect(result.slides).toBeGreaterThan(10);
    expect(readFileSync(output).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('says in French which deck files failed to load (not the layout timeout)', async () => {
    // The same build served at the root: its /cours-swarm/… files are not found.
    const server = await startStaticServer(dist);
    try {
      const error = await exportPdf({ url: server.url, output: path.join(tmp, 'raté.pdf'), log: () => undefined }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/^les fichiers du diaporama ne se chargent pas \(\/cours-swarm\/deck\/[^ ]+\.(?:js|css) : HTTP 404\)\. Vérifiez que http:\/\/127\.0\.0\.1:\d+\/ sert bien le diaporama construit\.$/);
    } finally {
      await server.close();
    }
  });
});
