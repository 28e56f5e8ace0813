/**
 * Lexing of gh-reveal's `§` directives in the raw Markdown source.
 *
 * gh-reveal cut the *source* on `§new` / `§break` / `§notes` (raw substring split, even inside
 * code blocks) and left every other directive as text for a browser script that worked on the
 * rendered HTML. We keep that model but replace each directive by an inert placeholder token
 * (private-use characters that Markdown never interprets) before running marked, so that a
 * value such as `data-background-image=https://…` is not autolinked or emphasised, and so that
 * each token remembers its file:line:column for error messages. The tokens are resolved on the
 * parsed DOM of marked's output (see dom.ts).
 */
import { closeNames, fontAwesomeIcons } from './assets.js';
import { LineMap, RenderError, type SourcePos } from './errors.js';

export interface LabRef {
  lab: string;
  exercise?: string;
}

export interface Attr {
  key: string;
  value: string;
}

export type Directive =
  | { kind: 'element' | 'pelement' | 'slide'; attrs: Attr[]; pos: SourcePos; source: string }
  | { kind: 'icon'; name: string; pos: SourcePos; source: string }
  | { kind: 'lab'; ref: LabRef; pos: SourcePos; source: string };

/** Start/end of a placeholder token; the directive's index (base 36) sits between them. */
export const TOKEN_START = '\uE000';
export const TOKEN_END = '\uE001';
/** Placeholder for the `PARAGRAPH` escape, turned into `§` in the final HTML. */
export const PARAGRAPH_MARK = '\uE002';
export const TOKEN_RE = /\uE000([0-9a-z]+)\uE001/g;

export const tokenFor = (index: number): string => TOKEN_START + index.toString(36) + TOKEN_END;

/** A piece of a source file, with the offset of its first character in that file. */
export interface Chunk {
  text: string;
  offset: number;
}

/** Raw substring split, like Liquid's `split` in gh-reveal's layout. */
export function splitRaw(chunk: Chunk, marker: string): Chunk[] {
  const out: Chunk[] = [];
  let from = 0;
  for (;;) {
    const at = chunk.text.indexOf(marker, from);
    if (at < 0) break;
    out.push({ text: chunk.text.slice(from, at), offset: chunk.offset + from });
    from = at + marker.length;
  }
  out.push({ text: chunk.text.slice(from), offset: chunk.offset + from });
  return out;
}

const KNOWN = ['new', 'break', 'notes', 'id', 'slide', 'fragment', 'icon', 'element', 'pelement', 'lab'];
const WITH_ARG = new Set(['id', 'slide', 'icon', 'element', 'pelement', 'lab', 'fragment']);
const ATTR_KEY = /^[A-Za-z_:][-A-Za-z0-9_:.]*$/;

function parseAttrs(body: string, pos: SourcePos, name: string): Attr[] {
  const trimmed = body.trim();
  if (!trimmed) {
    throw new RenderError(pos, `§${name} sans attribut`, `écrivez par exemple §${name}:class=fragment§; (paires clé=valeur séparées par des espaces)`);
  }
  return trimmed.split(/\s+/).map((item) => {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (!ATTR_KEY.test(key)) {
      throw new RenderError(pos, `§${name} : nom d’attribut invalide « ${key} »`, 'les valeurs sont des paires clé=valeur séparées par des espaces, sans espace dans une valeur');
    }
    return { key, value };
  });
}

/** A bare `§fragment` (class fragment on the parent element). */
const bareFragment = (pos: SourcePos): Directive => ({ kind: 'element', attrs: [{ key: 'class', value: 'fragment' }], pos, source: '§fragment' });

/**
 * Replaces the directives of `chunk` by placeholder tokens, appending them to `table`.
 * `§new`, `§break` and `§notes` must already have been split out. `warn` receives what
 * gh-reveal accepted but is probably not what the author meant.
 */
export function lexDirectives(chunk: Chunk, lines: LineMap, table: Directive[], warn: (pos: SourcePos, message: string) => void = () => undefined): string {
  const { text } = chunk;
  let out = '';
  let from = 0;
  const posOf = (i: number) => lines.pos(chunk.offset + i);
  for (let i = text.indexOf('§'); i >= 0; i = text.indexOf('§', from)) {
    out += text.slice(from, i);
    const name = /^§([A-Za-z][A-Za-z0-9_-]*)/.exec(text.slice(i, i + 40))?.[1];
    if (name === undefined) {
      // A `§` not followed by a letter is plain text (e.g. "§ 3").
      out += '§';
      from = i + 1;
      continue;
    }
    const pos = posOf(i);
    let dname: string;
    if (name.startsWith('fragment') && text[i + 9] !== ':') {
      // Bare `§fragment`: anything may follow (the seed writes `§fragmentPour avoir…`).
      table.push(bareFragment(pos));
      out += tokenFor(table.length - 1);
      from = i + 9;
      continue;
    } else {
      dname = name;
    }
    if (!KNOWN.includes(dname)) {
      const close = closeNames(dname, KNOWN, 2);
      throw new RenderError(
        pos,
        `directive inconnue « §${dname} »`,
        `${close.length ? `vouliez-vous dire §${close[0]} ? ` : ''}directives : §new §break §notes §id:…§; §slide:…§; §fragment §fragment:N§; §icon:…§; §element:…§; §pelement:…§; §lab:…§; — pour un « § » littéral écrivez PARAGRAPH`,
      );
    }
    if (!WITH_ARG.has(dname)) {
      // §new / §break / §notes were split out before; this cannot happen, but stay safe.
      throw new RenderError(pos, `§${dname} inattendu ici`, 'placez-le seul sur sa ligne');
    }
    const colon = i + 1 + dname.length;
    if (text[colon] !== ':') {
      throw new RenderError(pos, `§${dname} attend « : » puis une valeur terminée par §;`, `exemple : §${dname === 'icon' ? 'icon:github' : dname === 'id' ? 'id:intro' : dname === 'lab' ? 'lab:init-swarm' : `${dname}:class=fragment`}§;`);
    }
    const end = text.indexOf('§', colon + 1);
    if ((end < 0 || text[end + 1] !== ';') && dname === 'fragment') {
      // gh-reveal read `§fragment:` as an index only up to a `§;` before any other `§`; else it
      // was a bare `§fragment` and « :… » stayed as text (`**§fragment: il parle à l'API**`).
      warn(pos, '« §fragment: » sans « §; » : lu comme un §fragment simple, comme gh-reveal ; le texte « :… » reste affiché (pour un index, écrivez §fragment:N§; ; sinon retirez le « : »)');
      table.push(bareFragment(pos));
      out += tokenFor(table.length - 1);
      from = i + 9;
      continue;
    }
    if (end < 0 || text[end + 1] !== ';') {
      throw new RenderError(pos, `directive « §${dname}: » non terminée`, 'terminez-la par « §; » (la valeur ne peut pas contenir de « § »)');
    }
    const body = text.slice(colon + 1, end);
    const source = text.slice(i, end + 2);
    from = end + 2;
    const value = body.trim();
    switch (dname) {
      case 'id':
        if (!value || /\s/.test(value)) throw new RenderError(pos, '§id: attend un identifiant sans espace', 'exemple : §id:intro§;');
        table.push({ kind: 'slide', attrs: [{ key: 'id', value }], pos, source });
        break;
      case 'fragment':
        if (!/^\d+$/.test(value)) {
          throw new RenderError(pos, `§fragment:${body}§; : index de fragment invalide`, 'l’index est un entier positif ou nul, ex. §fragment:1§;');
        }
        table.push({
          kind: 'element',
          attrs: [
            { key: 'class', value: 'fragment' },
            { key: 'data-fragment-index', value },
          ],
          pos,
          source,
        });
        break;
      case 'slide':
      case 'element':
      case 'pelement':
        table.push({ kind: dname, attrs: parseAttrs(body, pos, dname), pos, source });
        break;
      case 'icon': {
        const icon = value.replace(/^fa-/, '');
        if (!fontAwesomeIcons().has(icon)) {
          const close = closeNames(icon, fontAwesomeIcons(), 6);
          throw new RenderError(
            pos,
            `icône Font Awesome 4.7 inconnue « ${value} »`,
            close.length ? `noms proches : ${close.join(', ')}` : 'liste des icônes : https://fontawesome.com/v4/icons/',
          );
        }
        table.push({ kind: 'icon', name: icon, pos, source });
        break;
      }
      case 'lab': {
        const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\/([A-Za-z0-9][A-Za-z0-9_.-]*))?$/.exec(value);
        if (!m) throw new RenderError(pos, `§lab: référence invalide « ${value} »`, 'écrivez §lab:ID§; ou §lab:ID/EXERCICE§;');
        table.push({ kind: 'lab', ref: m[2] ? { lab: m[1]!, exercise: m[2] } : { lab: m[1]! }, pos, source });
        break;
      }
    }
    out += tokenFor(table.length - 1);
  }
  out += text.slice(from);
  return out.replaceAll('PARAGRAPH', PARAGRAPH_MARK);
}
