/**
 * kramdown's emphasis rules, as a marked extension: gh-reveal decks were written for kramdown,
 * whose `*`, `**`, `_`, `__` follow simpler rules than CommonMark's "flanking" ones
 * (kramdown/parser/kramdown/emphasis.rb):
 * - an opening delimiter (`**` or `*`, `__` or `_`) must not be followed by whitespace; `_`
 *   must not sit between two letters or digits; emphasis does not nest inside the same kind;
 * - the closing delimiter is the first same delimiter, outside code spans, HTML tags, links and
 *   nested emphasis, that is not preceded by whitespace (for `*`/`_` emphasis: not the start of
 *   a `**`; for `_`: not followed by a letter or digit), with something in between;
 * - a `**` with no closing `**` is retried as `*` emphasis starting at its first star;
 * - an opening delimiter without a closing one is literal text.
 * Punctuation does not matter: `mot**, puis la suite !**` and `**: la suite.**x` are bold in
 * kramdown, and literal in CommonMark.
 */
import type { TokenizerExtension, Tokens } from 'marked';

type Kind = 'em' | 'strong';

/** Ruby's `\s` (ASCII whitespace only: U+00A0 is not whitespace for kramdown). */
const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\r\f\v]/.test(c);
/** Ruby's `[[:alnum:]]` on UTF-8 text. */
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{Alphabetic}\p{Nd}]/u.test(c);

interface Emphasis {
  kind: Kind;
  /** Length of the opening (and closing) delimiter. */
  delim: number;
  /** Offset of the content's first character. */
  start: number;
  /** Offset just after the content (the closing delimiter starts here). */
  end: number;
}

/** End of a code span starting at `i` (a run of backticks), or -1 if it is not closed. */
function codeSpanEnd(s: string, i: number): number {
  let n = 0;
  while (s[i + n] === '`') n++;
  const fence = '`'.repeat(n);
  for (let j = s.indexOf(fence, i + n); j >= 0; j = s.indexOf(fence, j + 1)) {
    let run = 0;
    while (s[j + run] === '`') run++;
    if (run === n) return j + n;
    j += run - 1;
  }
  return -1;
}

/** End of the bracketed text starting at `i` (`[…]` or `(…)`, nested), or -1. */
function bracketEnd(s: string, i: number, open: string, close: string): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '`') {
      const e = codeSpanEnd(s, j);
      if (e > 0) j = e - 1;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return -1;
}

const HTML_TAG = /^<\/?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*)?\/?>|^<[a-z][a-z0-9+.-]*:[^\s<>]*>|^<!--[\s\S]*?-->/i;

/**
 * Where a span parser other than emphasis ends when it starts at `i` (code span, HTML tag or
 * autolink, escaped character, link), or -1 when none starts there.
 */
function otherSpanEnd(s: string, i: number): number {
  const c = s[i];
  if (c === '\\') return Math.min(s.length, i + 2);
  if (c === '`') {
    const e = codeSpanEnd(s, i);
    if (e > 0) return e;
    let n = 0;
    while (s[i + n] === '`') n++;
    return i + n;
  }
  if (c === '<') {
    const m = HTML_TAG.exec(s.slice(i));
    return m ? i + m[0].length : -1;
  }
  if (c === '[' || (c === '!' && s[i + 1] === '[')) {
    const textEnd = bracketEnd(s, c === '!' ? i + 1 : i, '[', ']');
    if (textEnd < 0) return -1;
    if (s[textEnd] === '(') return bracketEnd(s, textEnd, '(', ')');
    if (s[textEnd] === '[') return bracketEnd(s, textEnd, '[', ']');
    return -1;
  }
  return -1;
}

/** kramdown's parse_spans up to `delim`: the offset of the closing delimiter, or -1. */
function findClose(s: string, from: number, delim: string, kind: Kind, stack: Kind[]): number {
  const type = delim[0]!;
  for (let i = from; i < s.length; ) {
    if (
      s.startsWith(delim, i) &&
      !isSpace(s[i - 1]) &&
      (kind !== 'em' || !(s.startsWith(type + type, i) && s[i + 2] !== type)) &&
      (type !== '_' || !isAlnum(s[i + delim.length])) &&
      i > from
    ) {
      return i;
    }
    const c = s[i]!;
    if (c === '*' || c === '_') {
      const nested = emphasisAt(s, i, s[i - 1], stack);
      i = nested ? nested.end + nested.delim : i + (s[i + 1] === c ? 2 : 1);
      continue;
    }
    const other = otherSpanEnd(s, i);
    i = other > i ? other : i + 1;
  }
  return -1;
}

/**
 * kramdown's parse_emphasis at offset `i` of `s` (`prev` is the character before it, `stack`
 * the emphasis elements it is inside): the emphasis found, or null when the delimiter is text.
 */
export function emphasisAt(s: string, i: number, prev: string | undefined, stack: Kind[]): Emphasis | null {
  const type = s[i]!;
  const len = s[i + 1] === type ? 2 : 1;
  const kind: Kind = len === 2 ? 'strong' : 'em';
  const after = s[i + len];
  if ((type === '_' && isAlnum(prev) && isAlnum(after)) || isSpace(after) || stack.includes(kind)) return null;
  const close = findClose(s, i + len, type.repeat(len), kind, [...stack, kind]);
  if (close >= 0) return { kind, delim: len, start: i + len, end: close };
  if (kind === 'strong' && stack.at(-1) !== 'em') {
    // kramdown retries `**…` as `*…` emphasis: the first star opens it, the second is content.
    const em = findClose(s, i + 1, type, 'em', [...stack, 'em']);
    if (em >= 0) return { kind: 'em', delim: 1, start: i + 1, end: em };
  }
  return null;
}

/** The marked extension (one instance per marked instance: it keeps the nesting stack). */
export function kramdownEmphasis(): TokenizerExtension {
  let stack: Kind[] = [];
  return {
    name: 'kramdownEmphasis',
    level: 'inline',
    start(src) {
      const m = /[*_]/.exec(src);
      return m ? m.index : undefined;
    },
    tokenizer(src, tokens) {
      const type = src[0];
      if (type !== '*' && type !== '_') return undefined;
      const prev = tokens.at(-1)?.raw.at(-1);
      const found = emphasisAt(src, 0, prev, stack);
      if (!found) {
        const raw = src.slice(0, src[1] === type ? 2 : 1);
        return { type: 'text', raw, text: raw, escaped: false } as Tokens.Text;
      }
      const text = src.slice(found.start, found.end);
      const saved = stack;
      stack = [...stack, found.kind];
      try {
        const inner = this.lexer.inlineTokens(text);
        return { type: found.kind, raw: src.slice(0, found.end + found.delim), text, tokens: inner } as Tokens.Strong | Tokens.Em;
      } finally {
        stack = saved;
      }
    },
  };
}
