/**
 * Applies the directive tokens on the parsed DOM of one vertical slide, faithful to
 * gh-reveal's `paragraph-markup.js`, which walked the text nodes of each `section > section`:
 * - `§slide:…§;` (and `§id:X§;`) set attributes on the enclosing <section>;
 * - `§element:…§;` (and `§fragment`, `§fragment:N§;`) on the text node's parent element
 *   (`class` is appended, other attributes are set);
 * - `§pelement:…§;` on the text node's previous sibling; when the text is alone in its element,
 *   on that element's previous element sibling (the image, table or list before it);
 * - `§icon:NAME§;` becomes `<i class="fa fa-NAME" aria-hidden="true"></i>` in place.
 * Then the directive text is removed and paragraphs left empty are dropped (gh-reveal left
 * empty <p> artefacts behind; an empty paragraph that received attributes, such as an empty
 * fragment step, is kept).
 */
import { RenderError } from './errors.js';
import { TOKEN_RE, type Attr, type Directive, type LabRef } from './directives.js';
import { frenchTypography } from './typography.js';

// linkedom implements the DOM interfaces; we only use the standard subset below.
type El = Element;
type N = Node;

const TEXT = 3;
const ELEMENT = 1;
const NO_TYPOGRAPHY = new Set(['CODE', 'PRE', 'KBD', 'SAMP', 'SCRIPT', 'STYLE', 'TEXTAREA', 'VAR', 'TT']);

export interface SlideDomContext {
  directives: Directive[];
  lab?: (ref: LabRef) => string | null;
}

export interface SlideDomResult {
  /** `§slide`/`§id` directives that set the id (for duplicate detection). */
  idDirective?: Directive;
  lab?: LabRef;
}

function applyAttrs(target: El, attrs: Attr[]): void {
  for (const { key, value } of attrs) {
    if (key === 'class') {
      const cur = target.getAttribute('class');
      target.setAttribute('class', cur ? `${cur} ${value}` : value);
    } else {
      target.setAttribute(key, value);
    }
  }
}

/** Merges adjacent text nodes (linkedom splits text at character references). */
export function mergeTextNodes(root: N): void {
  for (let child = root.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === TEXT) {
      let sib = child.nextSibling;
      while (sib && sib.nodeType === TEXT) {
        (child as Text).data += (sib as Text).data;
        const next: ChildNode | null = sib.nextSibling;
        sib.remove();
        sib = next;
      }
    } else if (child.nodeType === ELEMENT) mergeTextNodes(child);
  }
}

function textNodesWithTokens(root: N, out: Text[]): void {
  for (let c = root.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT) {
      if ((c as Text).data.includes('\uE000')) out.push(c as Text);
    } else if (c.nodeType === ELEMENT) textNodesWithTokens(c, out);
  }
}

const stripTokens = (s: string) => s.replace(TOKEN_RE, '');

/** True when the element holds nothing but whitespace and directive tokens. */
function onlyDirectives(el: El): boolean {
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT) return false;
    if (c.nodeType === TEXT && stripTokens((c as Text).data).trim() !== '') return false;
  }
  return true;
}

function tokenIds(data: string): number[] {
  return [...data.matchAll(TOKEN_RE)].map((m) => parseInt(m[1]!, 36));
}

/** French typography on the prose text nodes under `node` (never code, pre, kbd…). */
export function typography(node: N): void {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT) {
      const t = c as Text;
      const next = frenchTypography(t.data);
      if (next !== t.data) t.data = next;
    } else if (c.nodeType === ELEMENT && !NO_TYPOGRAPHY.has((c as El).tagName)) typography(c);
  }
}

/** Processes one vertical slide `<section>` in place. */
export function processSlide(section: El, ctx: SlideDomContext): SlideDomResult {
  const result: SlideDomResult = {};
  mergeTextNodes(section);
  const doc = section.ownerDocument;

  type Op = { d: Directive; text?: Text; code?: El };
  const ops: Op[] = [];
  const texts: Text[] = [];
  textNodesWithTokens(section, texts);
  for (const text of texts) for (const id of tokenIds(text.data)) ops.push({ d: ctx.directives[id]!, text });
  for (const code of section.querySelectorAll('code[data-rd]')) {
    for (const id of code.getAttribute('data-rd')!.split(' ')) ops.push({ d: ctx.directives[Number(id)]!, code });
    code.removeAttribute('data-rd');
  }

  // Same order as gh-reveal: slide, element, pelement; then icons and labs.
  for (const op of ops) {
    if (op.d.kind !== 'slide') continue;
    if (op.d.attrs.some((a) => a.key === 'id')) result.idDirective = op.d;
    applyAttrs(section, op.d.attrs);
  }
  for (const op of ops) {
    if (op.d.kind !== 'element') continue;
    const target = op.code ?? (op.text!.parentNode as El);
    applyAttrs(target, op.d.attrs);
  }
  for (const op of ops) {
    if (op.d.kind !== 'pelement') continue;
    let target: El | null = null;
    if (op.code) {
      target = null; // the directive is "alone" in <code>, whose only sibling context is <pre>
    } else {
      const text = op.text!;
      const prev = text.previousSibling;
      if (prev && prev.nodeType === ELEMENT) {
        target = prev as El;
      } else if (!prev && onlyDirectives(text.parentNode as El)) {
        target = (text.parentNode as El).previousElementSibling;
      }
    }
    if (!target) {
      throw new RenderError(
        op.d.pos,
        `${op.d.source} : aucun élément cible`,
        '§pelement s’applique à l’élément juste avant le texte (image sur la ligne précédente, sans ligne vide) ou, seul dans son paragraphe après une ligne vide, au bloc précédent (tableau, liste, image)',
      );
    }
    applyAttrs(target, op.d.attrs);
  }
  for (const op of ops) {
    if (op.d.kind !== 'icon' || !op.text) continue;
    const text = op.text;
    const id = ctx.directives.indexOf(op.d).toString(36);
    const token = `\uE000${id}\uE001`;
    const at = text.data.indexOf(token);
    const after = doc.createTextNode(text.data.slice(at + token.length));
    const icon = doc.createElement('i');
    icon.setAttribute('class', `fa fa-${op.d.name}`);
    icon.setAttribute('aria-hidden', 'true');
    text.data = text.data.slice(0, at);
    text.parentNode!.insertBefore(after, text.nextSibling);
    text.parentNode!.insertBefore(icon, after);
    // Later icons of the same original node now live in `after`.
    for (const o of ops) if (o.text === text && o !== op && o.d.kind === 'icon') {
      const tok = `\uE000${ctx.directives.indexOf(o.d).toString(36)}\uE001`;
      if (after.data.includes(tok)) o.text = after;
    }
  }

  // Remove the directive text (lab tokens stay until after typography).
  const labOps = ops.filter((o) => o.d.kind === 'lab');
  const remaining: Text[] = [];
  textNodesWithTokens(section, remaining);
  for (const t of remaining) {
    const keep = t.data.replace(TOKEN_RE, (m, id: string) => (ctx.directives[parseInt(id, 36)]!.kind === 'lab' ? m : ''));
    if (keep === '') t.remove();
    else t.data = keep;
  }

  typography(section);

  if (labOps.length > 1) {
    throw new RenderError(labOps[1]!.d.pos, 'une diapositive ne peut contenir qu’un seul §lab', 'séparez les TP par §break');
  }
  for (const op of labOps) {
    if (op.d.kind !== 'lab') continue;
    const text = op.text!;
    const p = text.parentNode as El;
    if (p.tagName !== 'P' || !onlyDirectives(p) || p.parentNode !== section) {
      throw new RenderError(op.d.pos, `${op.d.source} doit être seul dans son paragraphe`, 'placez §lab:…§; sur sa propre ligne, entouré de lignes vides');
    }
    if (!ctx.lab) {
      throw new RenderError(op.d.pos, `${op.d.source} : aucun TP disponible pour ce rendu`, 'le rendu des TP est fourni par l’application (option `lab` de renderDeck / renderCourse)');
    }
    let html: string | null;
    try {
      html = ctx.lab(op.d.ref);
    } catch (e) {
      throw new RenderError(op.d.pos, `${op.d.source} : ${(e as Error).message}`, 'vérifiez l’identifiant du TP (dossier labs/<id>/) et de l’exercice');
    }
    if (html == null) {
      throw new RenderError(op.d.pos, `${op.d.source} : TP inconnu « ${op.d.ref.lab}${op.d.ref.exercise ? '/' + op.d.ref.exercise : ''} »`, 'vérifiez l’identifiant du TP (dossier labs/<id>/) et de l’exercice');
    }
    const holder = doc.createElement('div');
    holder.innerHTML = html;
    while (holder.firstChild) section.insertBefore(holder.firstChild, p);
    p.remove();
    applyAttrs(section, [{ key: 'class', value: 'lab-slide' }, { key: 'data-lab', value: op.d.ref.lab }]);
    if (op.d.ref.exercise) section.setAttribute('data-exercise', op.d.ref.exercise);
    result.lab = op.d.ref;
  }

  // Drop paragraphs left empty by the directives (kept when they carry attributes).
  for (const p of [...section.querySelectorAll('p')]) {
    if (p.attributes.length === 0 && p.children.length === 0 && (p.textContent ?? '').trim() === '') p.remove();
  }
  return result;
}
