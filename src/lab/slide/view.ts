// The DOM of one lab slide, read once through the markup contract (src/shared/lab-contract.ts)
// and laid out for the UI: the left column (stepper, exercise, check bar), the header toolbar
// and the right column (terminal, replay or notice). Controllers share this view.
import { el } from '../../shared/dom';
import { exerciseTitleText, LAB, LAB_DATA, LAB_SELECTOR, labNodes } from '../../shared/lab-contract';

export interface ExerciseView {
  el: HTMLElement;
  id: string;
  title: string;
}

export class LabView {
  readonly root: HTMLElement;
  readonly lab: string;
  readonly nodes: string[];
  readonly exercises: ExerciseView[];
  /** Left column: the stepper, the exercise list, then (live) the check bar. */
  readonly side: HTMLElement;
  /** Header toolbar (progress, reset, server badge). */
  readonly toolbar: HTMLElement;
  /** Right column: the terminal panel, or the self-paced notice and replay. */
  readonly slot: HTMLElement;

  constructor(readonly section: HTMLElement) {
    const root = section.querySelector<HTMLElement>(LAB_SELECTOR.root);
    const list = root?.querySelector<HTMLElement>(`.${LAB.exercises}`);
    const slot = root?.querySelector<HTMLElement>(`.${LAB.terminalSlot}`);
    if (!root || !list || !slot) throw new Error(`diapositive de TP incomplète (${section.dataset.lab ?? section.id}) : .${LAB.root}, .${LAB.exercises} ou .${LAB.terminalSlot} manque`);
    this.root = root;
    this.slot = slot;
    this.lab = root.dataset[LAB_DATA.lab] ?? '';
    this.nodes = labNodes(root);
    this.exercises = [...list.querySelectorAll<HTMLElement>(`:scope > ${LAB_SELECTOR.exercise}`)].map((e) => ({
      el: e,
      id: e.dataset[LAB_DATA.exercise] ?? '',
      title: exerciseTitleText(e),
    }));
    this.side = el('div', 'lab-side');
    list.before(this.side);
    this.side.append(list);
    this.toolbar = el('div', 'lab-toolbar');
    root.querySelector(`.${LAB.head}`)?.append(this.toolbar);
    const summary = root.querySelector<HTMLElement>(`.${LAB.summary}`);
    if (summary) summary.title = summary.textContent ?? '';
  }

  /** A notice in the right column (preparing, errors). */
  notice(title: string, detail: string, spinner: boolean, cls = ''): HTMLElement {
    const n = el('div', `lab-notice ${cls}`.trim());
    n.setAttribute('role', 'status');
    if (spinner) n.append(el('span', 'lab-spinner'));
    n.append(el('strong', undefined, title));
    if (detail) n.append(el('span', 'lab-notice-detail', detail));
    this.slot.append(n);
    return n;
  }
}

/** Shows `text` on a button for a moment, then `back`. */
export function flashButton(b: HTMLButtonElement, text: string, back: string, ms = 1500): void {
  // A labelled button says the flashed text too (its accessible name holds its visible text).
  const label = b.getAttribute('aria-label');
  b.textContent = text;
  if (label !== null) b.setAttribute('aria-label', text);
  b.classList.add('lab-flash');
  setTimeout(() => {
    b.textContent = back;
    if (label !== null) b.setAttribute('aria-label', label);
    b.classList.remove('lab-flash');
  }, ms);
}
