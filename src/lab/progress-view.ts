// The course's lab progress: every lab slide of the deck (read from the DOM), its exercises
// passed or not (from /api/progress when a lab server answers), each a link to its slide.
// One <dialog> per page, in the top layer (above the terminal overlay), keys kept from reveal.
import type { RevealApi } from 'reveal.js';
import type { Progress } from './api';
import { exerciseTitleText, LAB, LAB_DATA, LAB_SELECTOR } from '../shared/lab-contract';
import { nameForm } from './name-form';
import { T } from './text';

export interface ProgressSource {
  /** Current progress, or null without a lab server. */
  load(): Promise<Progress | null>;
}

interface LabEntry {
  section: HTMLElement;
  lab: string;
  title: string;
  /** Marked `optional: true` in its lab file (the day plan may skip it). */
  optional: boolean;
  exercises: { id: string; title: string }[];
}

const KEY_T = 84;
let dialog: HTMLDialogElement | null = null;
let source: ProgressSource | null = null;
let deck: RevealApi | null = null;
let keyBound = false;

/** Lab slides of the deck, in slide order. */
export function labSlides(root: ParentNode = document): LabEntry[] {
  return [...root.querySelectorAll<HTMLElement>('.reveal .slides section[data-lab]')]
    .filter((s) => !s.querySelector('section')) // vertical stacks hold the slides themselves
    .map((section) => {
      const lab = section.dataset.lab ?? '';
      const title = section.querySelector(`.${LAB.title}`)?.textContent?.trim() || lab;
      const exercises = [...section.querySelectorAll<HTMLElement>(LAB_SELECTOR.exercise)].map((e) => ({
        id: e.dataset[LAB_DATA.exercise] ?? '',
        title: exerciseTitleText(e),
      }));
      const optional = section.querySelector(`.${LAB.root}[data-${LAB_DATA.optional}]`) !== null;
      return { section, lab, title, optional, exercises };
    });
}

/** Installs the dialog and the « T » shortcut (once per page); the latest source wins. */
export function installProgressView(reveal: RevealApi, from: ProgressSource): void {
  deck = reveal;
  source = from;
  if (!keyBound) {
    keyBound = true;
    reveal.addKeyBinding({ keyCode: KEY_T, key: 'T', description: T.progressKey }, () => void openProgress());
  }
}

export function removeProgressView(): void {
  dialog?.close();
  dialog?.remove();
  dialog = null;
  if (keyBound && deck) deck.removeKeyBinding(KEY_T);
  keyBound = false;
}

function ensureDialog(): HTMLDialogElement {
  if (dialog?.isConnected) return dialog;
  const d = document.createElement('dialog');
  d.className = 'lab-progress-dialog';
  d.setAttribute('aria-labelledby', 'lab-progress-title');
  // Keys typed in the dialog stay out of reveal (Escape still closes it: default action).
  for (const type of ['keydown', 'keyup', 'keypress'] as const) d.addEventListener(type, (e) => e.stopPropagation());
  d.addEventListener('click', (e) => {
    if (e.target === d) d.close(); // click on the backdrop
  });
  document.body.append(d);
  dialog = d;
  return d;
}

export async function openProgress(): Promise<void> {
  const d = ensureDialog();
  const labs = labSlides();
  let progress: Progress | null = null;
  try {
    progress = (await source?.load()) ?? null;
  } catch {
    progress = null;
  }
  d.replaceChildren(render(labs, progress));
  if (!d.open) d.showModal();
  d.querySelector<HTMLElement>('.lab-progress-close')?.focus();
}

function render(labs: LabEntry[], progress: Progress | null): DocumentFragment {
  const frag = document.createDocumentFragment();
  const head = document.createElement('header');
  head.className = 'lab-progress-head';
  const h = document.createElement('h2');
  h.id = 'lab-progress-title';
  h.textContent = T.progressTitle;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'lab-progress-close';
  close.textContent = T.close;
  close.addEventListener('click', () => dialog?.close());
  head.append(h, close);
  frag.append(head);

  const all = labs.flatMap((l) => l.exercises.map((e) => `${l.lab}/${e.id}`));
  const passed = (key: string) => Boolean(progress?.exercises[key]?.passedAt);
  const summary = document.createElement('p');
  summary.className = 'lab-progress-summary';
  summary.textContent = progress ? T.progressCount(new Set(all.filter(passed)).size, new Set(all).size) : T.progressOffline;
  frag.append(summary);
  // With a lab server: the name the instructor sees, changeable.
  if (progress) frag.append(nameForm());

  const list = document.createElement('ol');
  list.className = 'lab-progress-list';
  for (const l of labs) {
    const li = document.createElement('li');
    li.className = 'lab-progress-lab';
    li.dataset.lab = l.lab;
    const a = document.createElement('a');
    a.className = 'lab-progress-link';
    const idx = deck?.getIndices(l.section);
    a.href = l.section.id ? `#/${l.section.id}` : `#/${idx?.h ?? 0}/${idx?.v ?? 0}`;
    a.textContent = l.title;
    a.addEventListener('click', (e) => {
      e.preventDefault();
      dialog?.close();
      if (deck && idx) deck.slide(idx.h, idx.v);
    });
    li.append(a);
    if (l.optional) li.append(' ', Object.assign(document.createElement('span'), { className: LAB.optional, textContent: T.optionalLab }));
    const ex = document.createElement('ul');
    ex.className = 'lab-progress-exercises';
    for (const e of l.exercises) {
      const key = `${l.lab}/${e.id}`;
      const item = document.createElement('li');
      item.dataset.exercise = key;
      const ok = passed(key);
      item.dataset.passed = String(ok);
      const mark = document.createElement('span');
      mark.className = 'lab-progress-mark';
      mark.textContent = ok ? '✔' : '○';
      mark.setAttribute('aria-label', ok ? T.passedLabel : T.notPassedLabel);
      item.append(mark, ` ${e.title}`);
      ex.append(item);
    }
    li.append(ex);
    list.append(li);
  }
  frag.append(list);
  return frag;
}
