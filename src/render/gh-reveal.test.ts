/**
 * Decks written for gh-reveal that the original accepted: each fixture of
 * test/fixtures/gh-reveal/ renders to the structure the original gave it (expected.json), and
 * the include, emphasis and `§fragment:` rules hold on small inputs, errors included.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMarked } from './markdown.js';
import { renderDeck, RenderError, type RenderResult } from './index.js';
import { extractStructure } from './structure.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'gh-reveal');
const ws = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

interface Expected {
  slides: { where: string; heading: string; fragments: { tag: string; text: string; authoredIndex: string | null; revealIndex: number }[]; notes: string[] }[];
  warnings: { file: string; line: number; column: number; message: string }[];
  files?: string[];
  slideFiles?: Record<string, string>;
}

function renderFile(file: string): RenderResult {
  return renderDeck({ path: path.relative(process.cwd(), file), text: readFileSync(file, 'utf8') });
}

describe('gh-reveal fixtures (test/fixtures/gh-reveal/)', () => {
  const names = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

  it('has a fixture for each construct', () => {
    expect(names.sort()).toEqual(['fragment-colon', 'include-relative', 'kramdown-emphasis']);
  });

  for (const name of names) {
    it(`${name}: the structure the original gave`, () => {
      const dir = path.join(FIXTURES, name);
      const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
      const result = renderFile(path.join(dir, 'deck.md'));
      const rel = (f: string) => path.relative(dir, path.resolve(f));
      const slides = extractStructure(result.html)
        .flatMap((s) => s.slides)
        .filter((s) => s.v !== null)
        .map((s) => ({
          where: `${s.h}/${s.v}`,
          heading: ws(s.heading?.text ?? ''),
          fragments: s.fragments.map((f) => ({ tag: f.tag, text: ws(f.text), authoredIndex: f.authoredIndex, revealIndex: f.revealIndex })),
          notes: s.notes.map(ws),
        }));
      expect(slides).toEqual(expected.slides.map((s) => ({ ...s, fragments: s.fragments.map((f) => ({ ...f, text: ws(f.text) })), notes: s.notes.map(ws) })));
      expect(extractStructure(result.html).flatMap((s) => s.slides.flatMap((sl) => sl.unprocessedDirectives))).toEqual([]);
      // Messages compared by their start, whitespace kinds normalised.
      const want = expected.warnings.map((w) => ({ ...w, message: ws(w.message) }));
      const warnings = result.warnings.map((w, i) => ({ file: rel(w.file), line: w.line, column: w.column, message: ws(w.message).slice(0, want[i]?.message.length) }));
      expect(warnings).toEqual(want);
      if (expected.files) expect(result.files.map(rel)).toEqual(expected.files);
      if (expected.slideFiles) {
        const where = Object.fromEntries(result.slides.filter((s) => s.h > 0).map((s) => [`${s.h}/${s.v}`, `${rel(s.file)}:${s.line}`]));
        expect(where).toEqual(expected.slideFiles);
      }
    });
  }
});

describe('§fragment: followed by text', () => {
  const deck = (body: string) => renderDeck({ path: 'd.md', text: `---\ntitle: T\n---\n${body}` });

  it('is a bare fragment on the parent element, « :… » kept, with a warning at its position', () => {
    const r = deck("- le *client* **§fragment: il parle à l'API**\n");
    expect(r.html).toContain('<strong class="fragment">: il parle à l’API</strong>');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: 'd.md', line: 4, column: 17 });
    expect(r.warnings[0]!.message).toContain('lu comme un §fragment simple');
  });

  it('still reads an index up to the next §; (a space after the colon is allowed)', () => {
    const r = deck('Quoi ?§fragment: 2§;\n');
    expect(r.html).toMatch(/<p (?:class="fragment" data-fragment-index="2"|data-fragment-index="2" class="fragment")>/);
    expect(r.warnings).toEqual([]);
  });

  it('a later directive in the slide does not terminate it', () => {
    const r = deck('A §fragment: texte\n\nB §icon:github§;\n');
    expect(r.html).toContain('<p class="fragment">A\u00a0: texte</p>');
    expect(r.html).toContain('class="fa fa-github"');
    expect(r.warnings.map((w) => w.line)).toEqual([4]);
  });

  it('keeps errors for what the original broke: an index that is not a number', () => {
    expect(() => deck('Quoi §fragment:un§;\n')).toThrow(/d\.md:4:6: §fragment:un§; : index de fragment invalide/);
    expect(() => deck('Quoi §fragment: il parle§; fin\n')).toThrow(/index de fragment invalide/);
    expect(() => deck('Quoi §element:class=x\n')).toThrow(/non terminée/);
  });
});

describe('kramdown emphasis', () => {
  const inline = (s: string) => createMarked({ directives: [], warn: () => undefined }).parseInline(s) as string;

  it.each([
    ['Un seul mot**, puis la suite !**', 'Un seul mot<strong>, puis la suite !</strong>'],
    ['un point **: la suite.**x', 'un point <strong>: la suite.</strong>x'],
    ['**a **b**', '<strong>a **b</strong>'],
    ['**foo*', '<em>*foo</em>'],
    ['***foo***', '<strong><em>foo</em></strong>'],
    ['*a* et __b__', '<em>a</em> et <strong>b</strong>'],
    ['snake_case_word et _em_', 'snake_case_word et <em>em</em>'],
    ['2 * 3 * 4', '2 * 3 * 4'],
    ['** pas gras**', '** pas gras**'],
    ['**pas gras **', '**pas gras **'],
    ['`**` puis **x `**` y**', '<code>**</code> puis <strong>x <code>**</code> y</strong>'],
    ['**[lien**](u)**', '<strong><a href="u">lien**</a></strong>'],
    ['<span class="a_b">x</span> _y_', '<span class="a_b">x</span> <em>y</em>'],
    ['\\*\\*pas gras\\*\\*', '**pas gras**'],
  ])('%s', (src, html) => {
    expect(inline(src)).toBe(html);
  });
});

describe('{% include_relative %}', () => {
  let dir: string;
  let outside: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'include-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'include-outside-'));
    mkdirSync(path.join(dir, 'deck', 'sub'), { recursive: true });
    writeFileSync(path.join(outside, 'secret.md'), '## Hors du deck\n');
    writeFileSync(path.join(dir, 'beside.md'), '## À côté du deck\n');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const write = (rel: string, text: string) => {
    const file = path.join(dir, 'deck', rel);
    writeFileSync(file, text);
    return file;
  };
  const deck = (body: string) => {
    const file = write('deck.md', `---\ntitle: T\n---\n${body}`);
    return renderDeck({ path: path.relative(process.cwd(), file), text: readFileSync(file, 'utf8') });
  };
  const error = (body: string): RenderError => {
    try {
      deck(body);
    } catch (e) {
      if (e instanceof RenderError) return e;
      throw e;
    }
    throw new Error('no RenderError');
  };
  const at = (e: RenderError) => `${path.relative(path.join(dir, 'deck'), path.resolve(e.file))}:${e.line}:${e.column}`;

  it('reports errors inside an included file at their own file:line:column', () => {
    write('sub/a.md', '## A\n\nligne\n  §icon:githb§;\n');
    const e = error('## Début\n\n{% include_relative sub/a.md %}\n');
    expect(at(e)).toBe('sub/a.md:4:3');
  });

  it('a missing file is an error at the tag, with the folder paths are relative to', () => {
    const e = error('## Début\n\n{% include_relative nulle-part.md %}\n');
    expect(at(e)).toBe('deck.md:6:1');
    expect(e.reason).toContain('fichier inclus introuvable');
    expect(e.hint).toContain('relatif au fichier qui l’inclut');
  });

  it('a cycle is an error that names the chain', () => {
    write('sub/x.md', '{% include_relative y.md %}\n');
    write('sub/y.md', 'texte\n{%- include_relative x.md -%}\n');
    const e = error('{% include_relative sub/x.md %}\n');
    expect(at(e)).toBe('sub/y.md:2:1');
    expect(e.reason).toMatch(/inclusion circulaire \(.*x\.md → .*y\.md → .*x\.md\)/);
  });

  it('no escape outside the deck’s folder: ../, absolute paths, symbolic links', () => {
    expect(error('{% include_relative ../beside.md %}\n').reason).toContain('sort du dossier du deck');
    expect(error(`{% include_relative ${path.join(outside, 'secret.md')} %}\n`).reason).toContain('chemin absolu interdit');
    symlinkSync(path.join(outside, 'secret.md'), path.join(dir, 'deck', 'lien.md'));
    expect(error('{% include_relative lien.md %}\n').reason).toContain('lien symbolique');
    // ../ that stays inside the deck is fine.
    write('sub/b.md', '{% include_relative ../sub/c.md %}\n');
    write('sub/c.md', '## C\n');
    expect(deck('{% include_relative sub/b.md %}\n').slides.map((s) => s.title)).toEqual(['T', 'C']);
  });

  it('Jekyll’s _includes and include parameters are refused with what to write instead', () => {
    expect(error('{% include footer.html %}\n').hint).toContain('include_relative');
    expect(error('{% include_relative sub/c.md titre="x" %}\n').reason).toContain('paramètres');
  });
});
