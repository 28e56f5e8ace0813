// The files of the slides folder that the deck serves (dev) and copies (build): images and
// other assets the slides reference, never the Markdown sources, and the course CI's
// recordings of the reference solutions with their index.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Relative URLs (to the slides folder) that the rendered HTML references. */
export function localReferences(html: string): string[] {
  const refs = new Set<string>();
  const add = (raw: string): void => {
    const url = raw.trim().replace(/&amp;/g, '&');
    if (!url || /^(?:[a-z][a-z0-9+.-]*:|\/\/|\/|#|\?)/i.test(url)) return; // absolute, scheme, anchor
    const clean = decodeURI(url.split(/[?#]/)[0] ?? '');
    if (clean) refs.add(clean);
  };
  const attr = /\s(?:src|href|poster|data-src|data-background|data-background-image|data-background-video|data-background-iframe)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
  for (const m of html.matchAll(attr)) add(m[1] ?? m[2] ?? '');
  for (const m of html.matchAll(/\ssrcset\s*=\s*"([^"]*)"/gi)) {
    for (const part of (m[1] ?? '').split(',')) add(part.trim().split(/\s+/)[0] ?? '');
  }
  for (const m of html.matchAll(/url\(\s*(?:&quot;|["'])?([^"')&]+)(?:&quot;|["'])?\s*\)/gi)) add(m[1] ?? '');
  return [...refs];
}

export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** A file of the slides folder that may be served/copied (never the Markdown sources). */
export function slideFile(slidesDir: string, rel: string): string | null {
  const abs = path.resolve(slidesDir, rel);
  if (abs !== slidesDir && !abs.startsWith(slidesDir + path.sep)) return null;
  if (/\.(?:md|markdown)$/i.test(abs)) return null;
  try {
    return statSync(abs).isFile() ? abs : null;
  } catch {
    return null;
  }
}

/** `recordings/<lab>/<exercise>.cast` files of the slides folder (course CI recordings). */
export function listRecordings(slidesDir: string): string[] {
  return listFiles(path.join(slidesDir, 'recordings'), 'recordings').filter((f) => /^recordings\/[a-z0-9-]+\/[a-z0-9-]+\.cast$/.test(f));
}

export interface RecordingEntry {
  /** Relative to the site's root (and to slides/ in dev). */
  file: string;
  recordedAt?: string;
  generatedBy?: string;
  solutionHash?: string;
}

/**
 * `recordings/index.json`: which solutions have a recording, so that the self-paced lab UI never
 * asks for a file that does not exist (a 404 is a console error in browsers).
 */
export function recordingsIndex(slidesDir: string): { recordings: Record<string, RecordingEntry> } {
  const recordings: Record<string, RecordingEntry> = {};
  for (const rel of listRecordings(slidesDir)) {
    const [, lab, exercise] = /^recordings\/([^/]+)\/([^/]+)\.cast$/.exec(rel)!;
    let meta: { recordedAt?: string; generatedBy?: string; solutionHash?: string } = {};
    try {
      const text = readFileSync(path.join(slidesDir, rel), 'utf8');
      const nl = text.indexOf('\n');
      const header = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as { version?: number; 'x-docker-en-cluster'?: typeof meta };
      if (header.version !== 2) continue;
      meta = header['x-docker-en-cluster'] ?? {};
    } catch {
      continue; // not an asciicast v2 file: not offered
    }
    recordings[`${lab}/${exercise}`] = { file: rel, recordedAt: meta.recordedAt, generatedBy: meta.generatedBy, solutionHash: meta.solutionHash };
  }
  return { recordings };
}

