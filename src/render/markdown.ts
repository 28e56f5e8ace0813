/**
 * Markdown → HTML with marked, plus what kramdown (gh-reveal's engine) did and marked does not:
 * header-less pipe tables, kramdown's emphasis rules (emphasis.ts), build-time highlighting, and
 * placeholder tokens kept out of code.
 */
import hljs from 'highlight.js';
import { Marked, type MarkedExtension, type Tokens, type TokenizerExtension, type RendererExtension } from 'marked';
import { RenderError } from './errors.js';
import { TOKEN_RE, type Directive } from './directives.js';
import { kramdownEmphasis } from './emphasis.js';
import { escapeHtml } from '../shared/html.js';

export interface MarkdownContext {
  directives: Directive[];
  /** Called for non-fatal problems found while rendering (unknown fence language). */
  warn(pos: Directive['pos'] | null, message: string): void;
}

// ---------------------------------------------------------------------------------------------
// Header-less pipe tables (kramdown). marked only knows GFM tables, which need a `| --- |`
// delimiter right after the first row. kramdown accepts any run of lines starting with `|`:
// rows before a separator line are the header, the others go to <tbody>; with no separator
// every row is in <tbody>. The seed deck has four such tables.

interface KCell {
  tokens: Tokens.Generic[];
}
interface KTable extends Tokens.Generic {
  type: 'kramdownTable';
  raw: string;
  head: KCell[][];
  bodies: KCell[][][];
  align: ('left' | 'right' | 'center' | null)[];
}

const GFM_DELIM = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
/** kramdown's TABLE_SEP_LINE: only `+|: -` and at least one dash. */
const KRAMDOWN_SEP = /^[ \t]*\|[+|: \t-]*-[+|: \t-]*$/;

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  const cells: string[] = [];
  let cur = '';
  let ticks = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (c === '`') {
      let n = 1;
      while (s[i + n] === '`') n++;
      if (ticks === 0) ticks = n;
      else if (ticks === n) ticks = 0;
      cur += s.slice(i, i + n);
      i += n - 1;
    } else if (c === '|' && ticks === 0) {
      cells.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '' || !s.endsWith('|')) cells.push(cur);
  return cells.map((c) => c.trim());
}

const kramdownTable: TokenizerExtension & RendererExtension = {
  name: 'kramdownTable',
  level: 'block',
  start(src: string) {
    const m = /(^|\n) {0,3}\|/.exec(src);
    return m ? m.index + (m[1] ? 1 : 0) : undefined;
  },
  tokenizer(src: string) {
    const m = /^(?: {0,3}\|[^\n]*(?:\n|$))+/.exec(src);
    if (!m) return undefined;
    const lines = m[0].replace(/\n$/, '').split('\n');
    // A well-formed GFM table (delimiter row right after the first row, same cell count):
    // leave it to marked, which also handles alignment.
    if (lines.length >= 2 && GFM_DELIM.test(lines[1]!)) {
      if (splitRow(lines[0]!).length === splitRow(lines[1]!).length) return undefined;
    }
    const head: KCell[][] = [];
    const bodies: KCell[][][] = [[]];
    let align: KTable['align'] = [];
    let sawSep = false;
    for (const line of lines) {
      if (KRAMDOWN_SEP.test(line)) {
        if (!sawSep && head.length === 0 && bodies.length === 1 && bodies[0]!.length > 0) {
          head.push(...bodies[0]!);
          bodies[0] = [];
          align = splitRow(line).map((c) => {
            const l = c.startsWith(':');
            const r = c.endsWith(':');
            return l && r ? 'center' : r ? 'right' : l ? 'left' : null;
          });
        } else if (bodies[bodies.length - 1]!.length > 0) {
          bodies.push([]);
        }
        sawSep = true;
        continue;
      }
      const row = splitRow(line).map((text) => ({ tokens: this.lexer.inlineTokens(text) }));
      bodies[bodies.length - 1]!.push(row);
    }
    const token: KTable = { type: 'kramdownTable', raw: m[0], head, bodies: bodies.filter((b) => b.length > 0), align };
    return token;
  },
  renderer(token) {
    const t = token as KTable;
    const cell = (c: KCell, tag: 'th' | 'td', i: number) => {
      const a = t.align[i];
      return `<${tag}${a ? ` align="${a}"` : ''}>${this.parser.parseInline(c.tokens)}</${tag}>`;
    };
    const row = (r: KCell[], tag: 'th' | 'td') => `<tr>\n${r.map((c, i) => cell(c, tag, i)).join('\n')}\n</tr>\n`;
    let html = '<table>\n';
    if (t.head.length) html += `<thead>\n${t.head.map((r) => row(r, 'th')).join('')}</thead>\n`;
    for (const body of t.bodies) html += `<tbody>\n${body.map((r) => row(r, 'td')).join('')}</tbody>\n`;
    return html + '</table>\n';
  },
};

// ---------------------------------------------------------------------------------------------
// Code blocks: highlighted at build time with highlight.js. The fence info is
// `LANG [LINES]` where LINES follows reveal.js's line-highlight syntax (`[1|2-3]`, `[]`,
// `[5: 1|2]` to start numbering at 5); it becomes data-line-numbers / data-ln-start-from on
// <code>, which reveal's highlight plugin understands at runtime if the deck app loads it.


export function parseFenceInfo(info: string): { lang: string; lines?: string; startFrom?: string } {
  const m = /^\s*([^\s[]*)\s*(?:\[([^\]]*)\])?/.exec(info)!;
  const lang = (m[1] ?? '').toLowerCase();
  if (m[2] === undefined) return { lang };
  const spec = m[2].trim();
  const off = /^(\d+)\s*:\s*(.*)$/.exec(spec);
  return off ? { lang, startFrom: off[1]!, lines: off[2]! } : { lang, lines: spec };
}

function codeRenderer(ctx: MarkdownContext) {
  return ({ text, lang }: Tokens.Code): string => {
    const info = parseFenceInfo(lang ?? '');
    // Directives written inside the code apply to the <code> element (gh-reveal made a whole
    // <code> a fragment that way). Strip them from the code before highlighting; a line that
    // held only directives disappears.
    const ids: number[] = [];
    let code = text;
    if (code.includes('\uE000')) {
      code = code
        .split('\n')
        .map((line) => {
          if (!line.includes('\uE000')) return line;
          const stripped = line.replace(TOKEN_RE, (_, id: string) => {
            const n = parseInt(id, 36);
            const d = ctx.directives[n]!;
            if (d.kind === 'icon' || d.kind === 'lab') {
              throw new RenderError(d.pos, `${d.source} n’est pas possible dans un bloc de code`, 'placez la directive hors du bloc de code (avant ou après)');
            }
            ids.push(n);
            return '';
          });
          return stripped.trim() === '' ? null : stripped;
        })
        .filter((l): l is string => l !== null)
        .join('\n');
    }
    let language = info.lang || 'plaintext';
    if (!hljs.getLanguage(language)) {
      ctx.warn(null, `langage de bloc de code inconnu de highlight.js : « ${info.lang} » (rendu en texte brut)`);
      language = 'plaintext';
    }
    const highlighted = hljs.highlight(code, { language, ignoreIllegals: true }).value;
    let attrs = ` class="hljs language-${escapeHtml(language)}"`;
    if (info.lines !== undefined) attrs += ` data-line-numbers="${escapeHtml(info.lines)}"`;
    if (info.startFrom !== undefined) attrs += ` data-ln-start-from="${info.startFrom}"`;
    if (ids.length) attrs += ` data-rd="${ids.join(' ')}"`;
    return `<pre><code${attrs}>${highlighted}\n</code></pre>\n`;
  };
}

/** A marked instance for one render (its code renderer closes over the directive table). */
export function createMarked(ctx: MarkdownContext): Marked {
  const ext: MarkedExtension = {
    gfm: true,
    breaks: false,
    extensions: [kramdownTable, kramdownEmphasis()],
    renderer: { code: codeRenderer(ctx) },
  };
  return new Marked(ext);
}

/**
 * Reference-style link definitions are document-wide in kramdown; we render each slide
 * separately, so the definitions of the whole file are appended to every slide.
 */
export function collectLinkDefinitions(markdown: string): string {
  const defs = markdown.match(/^ {0,3}\[[^\]\n]+\]:[ \t]*\S+.*$/gm);
  return defs ? '\n\n' + defs.join('\n') + '\n' : '';
}
