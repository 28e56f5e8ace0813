// Lab slides on paper (`?print-pdf`, `npm run pdf`). On screen a lab slide shows one exercise
// at a time beside its terminal; printed, it shows every exercise in full (instructions,
// commands with their node, what the checker verifies, hints, the solution), continued over as
// many pages as it needs.
//
// reveal 6 lays the print view out once (PrintView.activate: one `.pdf-page` per slide, its
// overflow hidden; `pdfMaxPagesPerSlide` only makes one taller page that the browser cuts
// anywhere, through a line of text). So on `pdf-ready`, before the deck says it is ready
// (src/deck/lab-hook.ts registers this first), each lab page that overflows is split here into
// pages of whole blocks, measured in the real print layout: a block never straddles two pages.
// Continuation pages repeat the lab's header and the current exercise's title, marked « suite »,
// and number themselves like reveal's fragment pages (53.2, 53.3…).
import { LAB, LAB_SELECTOR } from '../shared/lab-contract';
import './print.css';

/** Room kept at the bottom of a page for reveal's page number, in CSS pixels. */
const BOTTOM_MARGIN = 36;
const HIDDEN = 'lab-print-hidden';

/** The blocks of one exercise, in reading order: each is kept whole on one page. */
function exerciseBlocks(exercise: HTMLElement): HTMLElement[] {
  const out: HTMLElement[] = [];
  const children = (e: Element | null | undefined): HTMLElement[] => [...(e?.children ?? [])].filter((c): c is HTMLElement => c instanceof HTMLElement);
  for (const part of children(exercise)) {
    const is = (cls: string) => part.classList.contains(cls);
    if (is(LAB.exerciseTitle)) continue; // goes with the exercise's first block
    if (is(LAB.instructions) || is(LAB.commands) || is(LAB.conditions)) out.push(...children(part));
    else if (is(LAB.solution)) out.push(...children(part.querySelector(`.${LAB.commands}`)));
    else out.push(part);
  }
  return out;
}

/** The blocks of a printed lab, in reading order. */
function blocks(lab: HTMLElement): HTMLElement[] {
  return [...lab.querySelectorAll<HTMLElement>(LAB_SELECTOR.exercise)].flatMap(exerciseBlocks);
}

function exerciseOf(block: HTMLElement): HTMLElement | null {
  return block.closest<HTMLElement>(LAB_SELECTOR.exercise);
}

/** Shows blocks [from, to) of a page's lab (and the exercises and titles they belong to). */
function showRange(lab: HTMLElement, from: number, to: number): void {
  const all = blocks(lab);
  const shown = new Set<HTMLElement>();
  all.forEach((b, i) => {
    const on = i >= from && i < to;
    b.classList.toggle(HIDDEN, !on);
    const exercise = exerciseOf(b);
    if (on && exercise) shown.add(exercise);
  });
  for (const exercise of lab.querySelectorAll<HTMLElement>(LAB_SELECTOR.exercise)) {
    exercise.classList.toggle(HIDDEN, !shown.has(exercise));
    // An exercise whose first block is on an earlier page: its title says « (suite) ».
    const first = exerciseBlocks(exercise).findIndex((b) => !b.classList.contains(HIDDEN));
    exercise.classList.toggle('lab-print-continued', first > 0);
    // The solution's heading goes with its first command.
    const solution = exercise.querySelector<HTMLElement>(LAB_SELECTOR.solution);
    if (solution) solution.classList.toggle(HIDDEN, !solution.querySelector(`.${LAB.command}:not(.${HIDDEN})`));
  }
}

/** The index of the first block that ends below `limit` (page coordinates), or blocks.length. */
function firstOverflowing(lab: HTMLElement, page: HTMLElement, from: number, limit: number): number {
  const top = page.getBoundingClientRect().top;
  const all = blocks(lab);
  for (let i = from; i < all.length; i++) {
    const block = all[i];
    if (block && block.getBoundingClientRect().bottom - top > limit) return i;
  }
  return all.length;
}

function overflows(lab: HTMLElement, page: HTMLElement, limit: number): boolean {
  return lab.getBoundingClientRect().bottom - page.getBoundingClientRect().top > limit;
}

/** Splits one lab page; returns the pages added after it. */
function splitPage(page: HTMLElement): HTMLElement[] {
  const pageHeight = page.clientHeight;
  const section = page.querySelector<HTMLElement>('section[data-lab]');
  const lab = section?.querySelector<HTMLElement>(LAB_SELECTOR.root);
  if (!section || !lab) return [];
  const limitOf = (p: HTMLElement): number => {
    const n = p.querySelector<HTMLElement>('.speaker-notes-pdf');
    const notesTop = n ? n.getBoundingClientRect().top - p.getBoundingClientRect().top - 8 : Infinity;
    return Math.min(pageHeight - BOTTOM_MARGIN, notesTop);
  };
  const total = blocks(lab).length;
  const pristine = page.cloneNode(true) as HTMLElement;
  pristine.querySelector('.speaker-notes-pdf')?.remove(); // the notes stay on the first page
  const added: HTMLElement[] = [];
  const number = page.querySelector('.slide-number-pdf')?.textContent ?? '';
  let current = page;
  let currentLab = lab;
  let from = 0;
  for (;;) {
    showRange(currentLab, from, total);
    const limit = limitOf(current);
    let to = Math.max(from + 1, firstOverflowing(currentLab, current, from, limit));
    showRange(currentLab, from, to);
    // Margins and the « suite » titles move things a little: shrink until the page fits.
    while (to > from + 1 && overflows(currentLab, current, limit)) showRange(currentLab, from, --to);
    if (to >= total) break;
    from = to;
    const next = pristine.cloneNode(true) as HTMLElement;
    next.classList.add('lab-print-continuation');
    const n = next.querySelector('.slide-number-pdf');
    if (n) n.textContent = `${number}.${added.length + 2}`;
    (added.at(-1) ?? page).after(next);
    added.push(next);
    current = next;
    const nextLab = next.querySelector<HTMLElement>(LAB_SELECTOR.root);
    if (!nextLab) break;
    currentLab = nextLab;
  }
  if (added.length) page.querySelector('.slide-number-pdf')?.append('.1');
  return added;
}

/**
 * Lays the lab slides out for print (call on reveal's `pdf-ready`): every exercise shown, the
 * solution open, long labs split over several pages. Returns the number of pages added.
 */
export function layoutLabsForPrint(slides: HTMLElement): number {
  let added = 0;
  for (const lab of slides.querySelectorAll<HTMLElement>(`.pdf-page ${LAB_SELECTOR.root}`)) {
    lab.classList.add('lab-print');
    for (const details of lab.querySelectorAll('details')) details.open = true;
  }
  for (const page of [...slides.querySelectorAll<HTMLElement>('.pdf-page')]) {
    if (page.querySelector(`${LAB_SELECTOR.root}`)) added += splitPage(page).length;
  }
  return added;
}
