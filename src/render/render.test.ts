import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { renderCourse, renderDeck, RenderError, type RenderOptions, type RenderResult } from './index.js';
import { extractStructure } from './structure.js';

const FM = '---\ntitle: T\n---\n'; // the body starts on line 4

function render(body: string, options?: RenderOptions, fm = FM): RenderResult {
  return renderDeck({ path: 'slides/t.md', text: fm + body }, options);
}

/** The vertical slides' <section> elements, in order. */
function slides(result: RenderResult): Element[] {
  const { document } = parseHTML(`<!doctype html><html><body><div class="slides">${result.html}</div></body></html>`);
  return [...document.querySelectorAll('div.slides > section > section')];
}

function one(body: string, options?: RenderOptions): Element {
  const s = slides(render(body, options));
  expect(s).toHaveLength(1);
  return s[0]!;
}

function renderError(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RenderError);
    return e as RenderError;
  }
  throw new Error('expected a RenderError');
}

describe('sections: §new, §break, title slide', () => {
  it('splits horizontally on §new and vertically on §break', () => {
    const r = render('# A\n§break\n# B\n§new\n# C\n§break\n# D\n§break\n# E');
    const s = extractStructure(r.html);
    expect(s.map((x) => x.verticalCount)).toEqual([0, 2, 3]);
    expect(s[2]!.slides.map((x) => x.heading?.text)).toEqual(['C', 'D', 'E']);
  });

  it('generates the title slide from title and subtitle', () => {
    const r = render('# A', {}, '---\ntitle: Docker en cluster\nsubtitle: Initiation à Swarm\n---\n');
    expect(r.html.startsWith('<section class="title-slide">\n<h1>Docker en cluster</h1>\n<p class="subtitle">Initiation à Swarm</p>\n</section>')).toBe(true);
    expect(r.slides[0]).toMatchObject({ h: 0, v: 0, title: 'Docker en cluster', line: 2 });
  });

  it('escapes HTML in the title', () => {
    const r = render('x', {}, '---\ntitle: "<b>A & B</b>"\n---\n');
    expect(r.html).toContain('<h1>&lt;b&gt;A &amp; B&lt;/b&gt;</h1>');
  });

  it('describes each slide in `slides`', () => {
    const r = render('## Un\n§id:un§;\n§break\n\n### Deux\n\ntexte\n§notes\nnote');
    expect(r.slides.slice(1)).toEqual([
      { h: 1, v: 0, id: 'un', title: 'Un', notes: false, file: 'slides/t.md', line: 4 },
      { h: 1, v: 1, title: 'Deux', notes: true, file: 'slides/t.md', line: 8 },
    ]);
  });

  it('warns about an empty slide', () => {
    const r = render('# A\n§break\n§break\n# B');
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringContaining('diapositive vide')]);
  });

  it('does not add ids to headings (kramdown did, duplicating slide ids)', () => {
    const s = one('## Sommaire\n§id:sommaire§;\n\n### Sous-titre');
    expect(s.getAttribute('id')).toBe('sommaire');
    expect(s.querySelectorAll('[id]')).toHaveLength(0);
  });
});

describe('§notes', () => {
  it('renders the text after §notes as Markdown in <aside class="notes">', () => {
    const s = one('## Titre\n\ncontenu\n\n§notes\n\nDire **bien** que `docker stack` est un objet.\n');
    const aside = s.querySelector('aside.notes')!;
    expect(aside.querySelector('strong')!.textContent).toBe('bien');
    expect(aside.querySelector('code')!.textContent).toBe('docker stack');
    expect(s.querySelector('p')!.textContent).toBe('contenu');
  });

  it('keeps only the text after the last §notes, with a warning', () => {
    const r = render('a\n§notes\nperdu\n§notes\ngardé');
    const s = slides(r)[0]!;
    expect(s.querySelector('aside.notes')!.textContent!.trim()).toBe('gardé');
    expect(s.textContent).not.toContain('perdu');
    expect(r.warnings.some((w) => w.message.includes('plusieurs §notes') && w.line === 7)).toBe(true);
  });
});

describe('§id and §slide', () => {
  it('§slide sets attributes of the enclosing slide, class appended', () => {
    const s = one('## A\n§slide:data-background=#38F247 class=dark§;\n§slide:class=wide§;');
    expect(s.getAttribute('data-background')).toBe('#38F247');
    expect(s.getAttribute('class')).toBe('dark wide');
    expect(s.querySelectorAll('p')).toHaveLength(0); // paragraphs left empty are removed
  });

  it('accepts internal links #/id and #id to slide ids, and #/h/v indices', () => {
    const r = render('## A\n§id:cible§;\n§break\n[1](#/cible) [2](#cible) [3](#/1/0) [4](#/1/1) [5](#/0)');
    expect(slides(r)[1]!.querySelectorAll('a')).toHaveLength(5);
  });

  it('reports a broken internal link at its position', () => {
    const e = renderError(() => render('## A\n§id:cible§;\n§break\nvoir\n[ailleurs](#/nulle-part)'));
    expect(e.message).toBe('slides/t.md:8:12: lien interne cassé « #/nulle-part » : aucune diapositive n’a cet identifiant');
    expect(e.hint).toContain('cible');
    const e2 = renderError(() => render('x [y](#/1/3)'));
    expect([e2.line, e2.column]).toEqual([4, 7]);
  });

  it('reports a duplicate slide id at the second §id', () => {
    const e = renderError(() => render('## A\n§id:x§;\n§new\n## B\n  §id:x§;'));
    expect([e.file, e.line, e.column]).toEqual(['slides/t.md', 8, 3]);
    expect(e.message).toContain('déjà utilisé (slides/t.md:5:1)');
  });
});

describe('§fragment and §element', () => {
  it('bare §fragment: class on the parent element, anything may follow', () => {
    const s = one('§fragmentPour avoir plus :\n\n- §fragmentUne\n- deux §fragment');
    expect(s.querySelector('p')!.getAttribute('class')).toBe('fragment');
    expect(s.querySelector('p')!.textContent).toBe('Pour avoir plus\u00a0:');
    expect([...s.querySelectorAll('li')].map((li) => li.getAttribute('class'))).toEqual(['fragment', 'fragment']);
  });

  it('§fragment:N§; sets data-fragment-index; reveal order groups and compacts indices', () => {
    const r = render('a§fragment:1§;\n\n- b§fragment:2§;\n- c§fragment:2§;\n\nd§fragment:1§;\n\n- e§fragment:3§;\n- f§fragment:3§;\n\ng§fragment');
    const [slide] = extractStructure(r.html)[1]!.slides;
    expect(slide!.fragments.map((f) => [f.text, f.authoredIndex, f.revealIndex])).toEqual([
      ['a', '1', 0],
      ['b', '2', 1],
      ['c', '2', 1],
      ['d', '1', 0],
      ['e', '3', 2],
      ['f', '3', 2],
      ['g', null, 3],
    ]);
    expect(slide!.fragmentSteps).toBe(4);
  });

  it('a §fragment line right after a list item applies to the last <li> (lazy continuation)', () => {
    const s = one('- un\n- deux\n§fragment\n\nsuite');
    const lis = s.querySelectorAll('li');
    expect(lis[0]!.hasAttribute('class')).toBe(false);
    expect(lis[1]!.getAttribute('class')).toBe('fragment');
    expect(lis[1]!.textContent!.trim()).toBe('deux');
  });

  it('a §fragment alone after a blank line is an empty fragment step', () => {
    const s = one('texte\n\n§fragment\n\nsuite');
    const ps = [...s.querySelectorAll('p')];
    expect(ps.map((p) => [p.className, p.textContent])).toEqual([
      ['', 'texte'],
      ['fragment', ''],
      ['', 'suite'],
    ]);
  });

  it('§element sets attributes on the parent; class is appended after §fragment', () => {
    const s = one('- Réseau interne §fragment §element:class=grow§;\n- **gras§element:data-x=1 title=t§;**');
    const lis = s.querySelectorAll('li');
    expect(lis[0]!.getAttribute('class')).toBe('fragment grow');
    expect(lis[0]!.textContent!.trim()).toBe('Réseau interne');
    const strong = lis[1]!.querySelector('strong')!;
    expect([strong.getAttribute('data-x'), strong.getAttribute('title')]).toEqual(['1', 't']);
  });

  it('applies directives of a heading to the heading', () => {
    const s = one('### ... qui a tout cassé !§fragment:1§;');
    expect(s.querySelector('h3')!.getAttribute('class')).toBe('fragment');
    expect(s.querySelector('h3')!.textContent).toBe('… qui a tout cassé\u202f!');
  });

  it('rejects a non-numeric fragment index', () => {
    const e = renderError(() => render('x §fragment:un§;'));
    expect(e.message).toMatch(/^slides\/t\.md:4:3: §fragment:un§; : index de fragment invalide/);
  });
});

describe('§pelement', () => {
  it('targets the image before it in the same paragraph (leading space allowed)', () => {
    const s = one('![Alt](assets/a.png)\n§pelement: style=background:rgba(255,255,255,1) width=40%§;');
    const img = s.querySelector('img')!;
    expect(img.getAttribute('style')).toBe('background:rgba(255,255,255,1)');
    expect(img.getAttribute('width')).toBe('40%');
    expect(s.querySelector('p')!.textContent!.trim()).toBe('');
  });

  it('targets the table before it when alone in its paragraph', () => {
    const s = one('| a | b |\n| c | d |\n\n§pelement:style=font-size:80%;§;');
    expect(s.querySelector('table')!.getAttribute('style')).toBe('font-size:80%;');
    expect(s.querySelectorAll('p')).toHaveLength(0);
  });

  it('targets the list before it when alone in its paragraph', () => {
    const s = one('- a\n- b\n\n§pelement:class=small§;');
    expect(s.querySelector('ul')!.getAttribute('class')).toBe('small');
  });

  it('reports a §pelement with no target', () => {
    const e = renderError(() => render('## T\n\ntexte §pelement:width=3§;'));
    expect(e.message).toBe('slides/t.md:6:7: §pelement:width=3§; : aucun élément cible');
    const e2 = renderError(() => render('§pelement:width=3§;'));
    expect([e2.line, e2.column]).toEqual([4, 1]);
  });
});

describe('§icon', () => {
  it('renders a Font Awesome 4.7 icon in place', () => {
    const s = one('- §icon:github§; [moi](https://github.com/x) et §icon:fa-at§;');
    const icons = [...s.querySelectorAll('i')];
    expect(icons.map((i) => [i.getAttribute('class'), i.getAttribute('aria-hidden')])).toEqual([
      ['fa fa-github', 'true'],
      ['fa fa-at', 'true'],
    ]);
    expect(s.querySelector('li')!.firstChild).toBe(icons[0]);
  });

  it('renders several icons of the same text node in order', () => {
    const s = one('a§icon:at§;b§icon:gear§;c');
    expect(s.querySelector('p')!.innerHTML).toBe('a<i aria-hidden="true" class="fa fa-at"></i>b<i aria-hidden="true" class="fa fa-gear"></i>c');
  });

  it('rejects an unknown icon and suggests close names', () => {
    const e = renderError(() => render('\n   §icon:githib§;'));
    expect(e.message).toBe('slides/t.md:5:4: icône Font Awesome 4.7 inconnue « githib »');
    expect(e.hint).toContain('github');
  });
});

describe('PARAGRAPH escape and unknown directives', () => {
  it('PARAGRAPH is a literal §, also inside code, and never splits slides', () => {
    const r = render('Écrire PARAGRAPHnew puis PARAGRAPHfragment\n\n```\nPARAGRAPHbreak\n```');
    const s = slides(r);
    expect(s).toHaveLength(1);
    expect(s[0]!.querySelector('p')!.textContent).toBe('Écrire §new puis §fragment');
    expect(s[0]!.querySelector('code')!.textContent).toBe('§break\n');
  });

  it('keeps a § that is not followed by a letter', () => {
    expect(one('voir § 3').textContent!.trim()).toBe('voir § 3');
  });

  it('rejects an unknown directive with its position', () => {
    const e = renderError(() => render('texte\n\nun §fragmnt:1§; ici'));
    expect(e.message).toBe('slides/t.md:6:4: directive inconnue « §fragmnt »');
    expect(e.hint).toContain('§fragment');
  });

  it('rejects an unterminated directive', () => {
    const e = renderError(() => render('a\n§element:class=fragment\n\nsuite'));
    expect(e.message).toBe('slides/t.md:5:1: directive « §element: » non terminée');
    expect(e.hint).toContain('§;');
  });

  it('rejects a directive missing its colon', () => {
    expect(renderError(() => render('§icon github§;')).message).toMatch(/^slides\/t\.md:4:1: §icon attend « : »/);
  });
});

describe('directives inside code', () => {
  it('a directive in a fenced block applies to <code> and is stripped before highlighting', () => {
    const s = one('```bash\ndocker service rollback web §fragment:2§;\n§element:data-id=x§;\n--detach\n```');
    const code = s.querySelector('pre > code')!;
    expect(code.getAttribute('class')).toBe('hljs language-bash fragment');
    expect(code.getAttribute('data-fragment-index')).toBe('2');
    expect(code.getAttribute('data-id')).toBe('x');
    expect(code.textContent).toBe('docker service rollback web \n--detach\n');
    expect(code.hasAttribute('data-rd')).toBe(false);
  });

  it('a directive inside inline code applies to that <code>', () => {
    const s = one('Lancer `docker ps §fragment` puis `ls`§fragment');
    const codes = s.querySelectorAll('code');
    expect(codes[0]!.getAttribute('class')).toBe('fragment');
    expect(codes[0]!.textContent).toBe('docker ps ');
    expect(s.querySelector('p')!.getAttribute('class')).toBe('fragment');
  });

  it('§slide in a code block still applies to the slide', () => {
    expect(one('```\nx §id:dans-le-code§;\n```').getAttribute('id')).toBe('dans-le-code');
  });

  it('rejects §icon and §pelement in a fenced block', () => {
    expect(renderError(() => render('```\n§icon:at§;\n```')).message).toMatch(/^slides\/t\.md:5:1: §icon:at§; n’est pas possible dans un bloc de code/);
    expect(renderError(() => render('```\nx\n§pelement:width=1§;\n```')).line).toBe(6);
  });
});

describe('code highlighting', () => {
  it('highlights at build time with the fence language', () => {
    const code = one('```bash\necho "salut" # commentaire\n```').querySelector('code')!;
    expect(code.getAttribute('class')).toBe('hljs language-bash');
    expect(code.querySelector('span.hljs-comment')!.textContent).toBe('# commentaire');
    expect(code.querySelector('span.hljs-string')!.textContent).toBe('"salut"');
  });

  it('uses plaintext without a language and warns on an unknown one', () => {
    expect(one('```\n<b>x</b>\n```').querySelector('code')!.getAttribute('class')).toBe('hljs language-plaintext');
    expect(one('```\n<b>x</b>\n```').querySelector('code')!.textContent).toBe('<b>x</b>\n');
    const r = render('```klingon\nx\n```');
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringContaining('« klingon »')]);
    expect(slides(r)[0]!.querySelector('code')!.getAttribute('class')).toBe('hljs language-plaintext');
  });

  it('maps reveal line highlights in the fence info to data-line-numbers', () => {
    const code = one('```bash [1|2-3]\na\nb\nc\n```').querySelector('pre > code')!;
    expect(code.getAttribute('data-line-numbers')).toBe('1|2-3');
    expect(code.getAttribute('class')).toBe('hljs language-bash');
    const code2 = one('```yaml [5: 1|2]\na: 1\n```').querySelector('code')!;
    expect([code2.getAttribute('data-ln-start-from'), code2.getAttribute('data-line-numbers')]).toEqual(['5', '1|2']);
    expect(one('```js []\nx\n```').querySelector('code')!.getAttribute('data-line-numbers')).toBe('');
  });
});

describe('tables', () => {
  it('renders header-less pipe tables like kramdown (all rows in <tbody>)', () => {
    const s = one('| `--bind/--mount` | volumes |\n| `-p` | ports \\| réseau |\n| `a|b` | c |');
    const t = s.querySelector('table')!;
    expect(t.querySelector('thead')).toBeNull();
    const rows = [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toEqual([
      ['--bind/--mount', 'volumes'],
      ['-p', 'ports | réseau'],
      ['a|b', 'c'],
    ]);
    expect(t.querySelector('td code')!.textContent).toBe('--bind/--mount');
  });

  it('keeps a <thead> with a separator row, even kramdown-style with an empty cell', () => {
    const s = one('| Docker monoposte | Docker en swarm |\n| ---              |                 |\n| Container        | Service         |');
    expect([...s.querySelectorAll('thead th')].map((th) => th.textContent)).toEqual(['Docker monoposte', 'Docker en swarm']);
    expect(s.querySelectorAll('tbody tr')).toHaveLength(1);
  });

  it('leaves GFM tables to marked (thead, alignment)', () => {
    const s = one('| a | b |\n|:--|--:|\n| 1 | 2 |');
    expect(s.querySelectorAll('thead th')).toHaveLength(2);
    expect(s.querySelector('td')!.getAttribute('align')).toBe('left');
  });
});

describe('French typography', () => {
  const text = (md: string) => one(md).querySelector('p')!.textContent;

  it('applies the rule to prose', () => {
    expect(text("Ce cours est : l'IRD... « super » ; vrai ! non ?")).toBe('Ce cours est\u00a0: l’IRD… «\u00a0super\u00a0»\u202f; vrai\u202f! non\u202f?');
    expect(text('«x»')).toBe('«\u00a0x\u00a0»');
  });

  it('never touches text with no space before the punctuation', () => {
    expect(text('publier 8080:80 à 10:30 sur /var/lib:ro, a;b et c!d')).toBe('publier 8080:80 à 10:30 sur /var/lib:ro, a;b et c!d');
  });

  it('never touches code, kbd or URLs', () => {
    const s = one("Tapez `echo 'a' ... ; b : c` et <kbd>Ctrl ?</kbd> sur https://ex.org/l'a?b=1 ou www.ex.org/x'y :\n\n```\nit's ... : ;\n```");
    expect(s.querySelector('p code')!.textContent).toBe("echo 'a' ... ; b : c");
    expect(s.querySelector('kbd')!.textContent).toBe('Ctrl ?');
    expect(s.querySelector('p')!.textContent).toContain("https://ex.org/l'a?b=1 ou www.ex.org/x'y\u00a0:");
    expect(s.querySelector('pre code')!.textContent).toBe("it's ... : ;\n");
  });

  it('applies to headings and notes', () => {
    const s = one("### Fonction d'orchestration\n\n§notes\n\nPourquoi ?");
    expect(s.querySelector('h3')!.textContent).toBe('Fonction d’orchestration');
    expect(s.querySelector('aside')!.textContent!.trim()).toBe('Pourquoi\u202f?');
  });

  it('outputs the characters, not character references', () => {
    expect(render('a : b').html).toContain('a\u00a0: b');
  });
});

describe('raw HTML, links and images', () => {
  it('keeps raw HTML (not sanitized)', () => {
    const s = one('<small>* petit</small>\n\n<script>\nvar a = 1 < 2;\n</script>\n\n[<i class="fa fa-arrow-left" aria-hidden="true"></i> Retour](#/1/0)');
    expect(s.querySelector('small')!.textContent).toBe('* petit');
    expect(s.querySelector('script')!.textContent).toContain('var a = 1 < 2;');
    expect(s.querySelector('a i.fa-arrow-left')).not.toBeNull();
  });

  it('resolves reference-style links defined on another slide', () => {
    const s = slides(render('voir [la doc][doc]\n§break\n[doc]: https://docs.docker.com/'));
    expect(s[0]!.querySelector('a')!.getAttribute('href')).toBe('https://docs.docker.com/');
  });

  it('warns about hotlinked images with their position, not local ones', () => {
    const r = render('![a](assets/a.png)\n\n§break\n\ntexte ![b](https://ex.org/b.png)');
    expect(r.warnings).toEqual([{ file: 'slides/t.md', line: 8, column: 12, message: expect.stringContaining('slides/assets/') }]);
  });
});

describe('§lab', () => {
  const lab: RenderOptions['lab'] = (ref) => (ref.lab === 'init' ? `<div class="lab" data-ex="${ref.exercise ?? ''}">TP ${ref.lab}</div>` : null);

  it('makes the slide a lab slide and replaces the paragraph with the callback HTML', () => {
    const r = render("## TP : init\n\n§lab:init/ex1§;\n\nÀ vous !", { lab });
    const s = slides(r)[0]!;
    expect(s.getAttribute('class')).toBe('lab-slide');
    expect([s.getAttribute('data-lab'), s.getAttribute('data-exercise')]).toEqual(['init', 'ex1']);
    expect(s.querySelector('div.lab')!.outerHTML).toBe('<div class="lab" data-ex="ex1">TP init</div>');
    expect([...s.children].map((c) => c.tagName)).toEqual(['H2', 'DIV', 'P']);
    expect(r.slides[1]).toMatchObject({ lab: { lab: 'init', exercise: 'ex1' }, title: 'TP\u00a0: init' });
  });

  it('accepts a lab without exercise', () => {
    const s = one('§lab:init§;', { lab });
    expect(s.hasAttribute('data-exercise')).toBe(false);
    expect(s.getAttribute('data-lab')).toBe('init');
  });

  it('reports an unknown lab, a missing callback, and a lab inside text', () => {
    expect(renderError(() => render('\n§lab:nope§;', { lab })).message).toBe('slides/t.md:5:1: §lab:nope§; : TP inconnu « nope »');
    expect(renderError(() => render('§lab:init§;')).message).toMatch(/^slides\/t\.md:4:1: §lab:init§; : aucun TP disponible/);
    const thrown = renderError(() => render('§lab:init§;', { lab: () => { throw new Error('boom'); } }));
    expect(thrown.message).toBe('slides/t.md:4:1: §lab:init§; : boom');
    expect(renderError(() => render('voir §lab:init§;', { lab })).message).toContain('doit être seul dans son paragraphe');
    expect(renderError(() => render('§lab:init§;\n\n§lab:init§;', { lab })).line).toBe(6);
  });
});

describe('front matter', () => {
  it('keeps the YAML types of reveal options and forces history', () => {
    const r = render('x', {}, '---\ntitle: T\ninitialization:\n  controls: false\n  slideNumber: c/t\n  width: 1280\n  autoSlide: false\n  custom: [1, 2]\n---\n');
    expect(r.meta.reveal).toEqual({ controls: false, slideNumber: 'c/t', width: 1280, autoSlide: false, custom: [1, 2], history: true });
    expect(r.meta.reveal.controls).toBe(false);
  });

  it('defaults theme to white and lang to fr', () => {
    expect(render('x').meta).toEqual({ title: 'T', theme: 'white', lang: 'fr', reveal: { history: true }, chapters: [] });
  });

  it('warns when history: false is asked', () => {
    const r = render('x', {}, '---\ntitle: T\ninitialization:\n  history: false\n---\n');
    expect(r.meta.reveal.history).toBe(true);
    expect(r.warnings[0]).toMatchObject({ line: 4, message: expect.stringContaining('history') });
  });

  it('reports bad fields with their line', () => {
    const bad = (fm: string) => renderError(() => render('x', {}, `---\n${fm}---\n`));
    let e = bad('title: T\ninitialization:\n  controls: "no"\n');
    expect(e.message).toMatch(/^slides\/t\.md:4:13: front matter : « initialization\.controls » invalide/);
    e = bad('title: T\ntheme: skyy\n');
    expect(e.message).toBe('slides/t.md:3:8: thème reveal.js inconnu « skyy »');
    expect(e.hint).toContain('sky');
    e = bad('title: T\nsubtitel: S\n');
    expect(e.message).toBe('slides/t.md:3:1: front matter : champ inconnu « subtitel »');
    expect(e.hint).toContain('subtitle');
    e = bad('subtitle: S\n');
    expect(e.message).toMatch(/^slides\/t\.md:\d+:\d+: front matter : « title » invalide/);
    e = bad('title: [oops\n');
    expect(e.message).toMatch(/^slides\/t\.md:[23]:\d+: front matter YAML invalide/);
    e = bad('title: T\ninitialization:\n  transition: spin\n');
    expect(e.line).toBe(4);
  });

  it('requires a front matter and refuses chapters in a single deck', () => {
    expect(renderError(() => renderDeck({ path: 'd.md', text: '# x' })).message).toBe('d.md:1:1: front matter absent');
    expect(renderError(() => renderDeck({ path: 'd.md', text: '---\ntitle: T\n# x' })).message).toBe('d.md:1:1: front matter non terminé');
    expect(renderError(() => render('x', {}, '---\ntitle: T\nchapters: [a.md]\n---\n')).line).toBe(3);
  });
});

describe('renderCourse', () => {
  function course(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'course-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return path.join(dir, 'index.md');
  }

  it('renders the chapters as one deck, each starting a horizontal section', () => {
    const index = course({
      'index.md': '---\ntitle: Cours\nlang: fr\ntheme: sky\nchapters:\n  - a.md\n  - b.md\n---\n',
      'a.md': '## A1\n§id:a1§;\n§break\n## A2\n§new\n## A3',
      'b.md': '## B1\n\n[retour](#/a1)\n',
    });
    const r = renderCourse(index);
    expect(extractStructure(r.html).map((s) => s.verticalCount)).toEqual([0, 2, 1, 1]);
    expect(r.meta).toMatchObject({ title: 'Cours', theme: 'sky', chapters: ['a.md', 'b.md'] });
    expect(r.slides.map((s) => [s.h, s.v, s.title, path.basename(s.file), s.line])).toEqual([
      [0, 0, 'Cours', 'index.md', 2],
      [1, 0, 'A1', 'a.md', 1],
      [1, 1, 'A2', 'a.md', 4],
      [2, 0, 'A3', 'a.md', 6],
      [3, 0, 'B1', 'b.md', 1],
    ]);
  });

  it('checks links and ids across chapters, with the chapter file in the position', () => {
    const index = course({ 'index.md': '---\ntitle: C\nchapters: [a.md, b.md]\n---\n', 'a.md': '## A\n§id:x§;', 'b.md': '## B\n\n[l](#/y)' });
    const e = renderError(() => renderCourse(index));
    expect(path.basename(e.file)).toBe('b.md');
    expect([e.line, e.column]).toEqual([3, 5]);
  });

  it('reports a missing chapter at its line in the index', () => {
    const index = course({ 'index.md': '---\ntitle: C\nchapters:\n  - a.md\n  - absent.md\n---\n', 'a.md': '## A' });
    const e = renderError(() => renderCourse(index));
    expect(e.reason).toBe('chapitre introuvable « absent.md »');
    expect([path.basename(e.file), e.line, e.column]).toEqual(['index.md', 5, 5]);
  });
});
