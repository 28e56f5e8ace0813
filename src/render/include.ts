/**
 * Jekyll's `{% include_relative file.md %}` (Liquid), as gh-reveal decks split into chapter
 * files use it: the tag is replaced by the file's text before anything else (Liquid ran before
 * kramdown and before the layout cut the page on `§new`/`§break`), so an included file may
 * hold several slides, directives and further includes.
 *
 * Paths are relative to the including file. Included files must stay inside the deck's folder
 * (no absolute path, no `../` above it, no symbolic link pointing outside); a missing file, an
 * escape or a cycle is an error at the tag's file:line:column. Positions in the expanded text
 * map back to the file each character came from (ComposedLineMap).
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { LineMap, RenderError, type SourcePos } from './errors.js';

const TAG = /\{%-?[ \t]*(include_relative|include)\b([^%]*?)-?%\}/g;

interface Segment {
  /** Offset range in the composed text. */
  start: number;
  end: number;
  /** Where that range comes from. */
  map: LineMap;
  offset: number;
}

/** A text assembled from pieces of several files: each offset maps to its own file:line:column. */
export class ComposedLineMap extends LineMap {
  constructor(
    file: string,
    text: string,
    private readonly segments: Segment[],
  ) {
    super(file, text);
  }

  override pos(offset: number): SourcePos {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    const seg = this.segments[lo];
    return seg ? seg.map.pos(seg.offset + offset - seg.start) : super.pos(offset);
  }
}

export interface ExpandOptions {
  /** Absolute path of the file `lines` holds. */
  file: string;
  /** The deck's folder: included files must be inside it. */
  root: string;
  /** Tags before this offset are not expanded (the front matter). */
  from?: number;
  /** How file names appear in messages (default: relative to the working directory). */
  display?: (abs: string) => string;
}

export interface Expanded {
  lines: LineMap;
  /** Absolute paths of the included files, in order (each once). */
  included: string[];
}

const inside = (dir: string, file: string): boolean => file === dir || file.startsWith(dir + path.sep);

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return path.resolve(root);
  }
}

/** Replaces every include tag of `lines` (recursively) by the included file's text. */
export function expandIncludes(lines: LineMap, options: ExpandOptions): Expanded {
  const display = options.display ?? ((abs: string) => path.relative(process.cwd(), abs) || abs);
  const root = path.resolve(options.root);
  const rootReal = realRoot(root);
  const included: string[] = [];

  const expand = (map: LineMap, file: string, from: number, chain: string[]): LineMap => {
    const text = map.text;
    TAG.lastIndex = from;
    if (!TAG.test(text)) return map;
    const segments: Segment[] = [];
    let out = '';
    let last = 0;
    const keep = (upTo: number): void => {
      if (upTo > last) segments.push({ start: out.length, end: out.length + upTo - last, map, offset: last });
      out += text.slice(last, upTo);
    };
    TAG.lastIndex = from;
    for (const m of text.matchAll(TAG)) {
      if (m.index < from) continue;
      const pos = map.pos(m.index);
      const tag = m[0];
      if (m[1] === 'include') {
        throw new RenderError(pos, `${tag} : les inclusions du dossier _includes de Jekyll ne sont pas prises en charge`, 'incluez le fichier par un chemin relatif au deck : {% include_relative chapitre.md %}');
      }
      const args = m[2]!.trim().split(/\s+/).filter(Boolean);
      const rel = args[0];
      if (!rel) throw new RenderError(pos, `${tag} : nom de fichier absent`, 'écrivez {% include_relative chapitre.md %}');
      if (args.length > 1) {
        throw new RenderError(pos, `${tag} : les paramètres d’inclusion (${args.slice(1).join(' ')}) ne sont pas pris en charge`, 'gardez seulement le chemin du fichier : {% include_relative chapitre.md %}');
      }
      if (path.isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel)) {
        throw new RenderError(pos, `${tag} : chemin absolu interdit`, `le chemin est relatif au fichier qui l’inclut (${display(path.dirname(file))}/)`);
      }
      const target = path.resolve(path.dirname(file), rel);
      if (!inside(root, target)) {
        throw new RenderError(pos, `${tag} : « ${rel} » sort du dossier du deck (${display(root)}/)`, 'les fichiers inclus doivent être dans le dossier du deck ou ses sous-dossiers');
      }
      let real: string;
      let content: string;
      try {
        real = realpathSync(target);
        content = readFileSync(real, 'utf8').replace(/^\uFEFF/, '');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const what = code === 'ENOENT' ? 'fichier inclus introuvable' : code === 'EISDIR' ? 'c’est un dossier, pas un fichier' : `fichier illisible (${code ?? (e as Error).message})`;
        throw new RenderError(pos, `${tag} : ${what} « ${display(target)} »`, `le chemin est relatif au fichier qui l’inclut (${display(path.dirname(file))}/)`);
      }
      if (!inside(rootReal, real)) {
        throw new RenderError(pos, `${tag} : « ${rel} » est un lien symbolique vers ${real}, hors du dossier du deck`, 'copiez le fichier dans le dossier du deck');
      }
      if (chain.includes(real)) {
        const cycle = [...chain.slice(chain.indexOf(real)), real].map(display).join(' → ');
        throw new RenderError(pos, `${tag} : inclusion circulaire (${cycle})`, 'un fichier ne peut pas s’inclure lui-même, directement ou non');
      }
      if (!included.includes(real)) included.push(real);
      keep(m.index);
      const child = expand(new LineMap(display(target), content), real, 0, [...chain, real]);
      if (child.text.length) segments.push({ start: out.length, end: out.length + child.text.length, map: child, offset: 0 });
      out += child.text;
      last = m.index + tag.length;
    }
    keep(text.length);
    return new ComposedLineMap(map.file, out, segments);
  };

  TAG.lastIndex = options.from ?? 0;
  if (!TAG.test(lines.text)) return { lines, included };
  let start: string;
  try {
    start = realpathSync(options.file);
  } catch {
    start = path.resolve(options.file);
  }
  return { lines: expand(lines, start, options.from ?? 0, [start]), included };
}
