// The stepper: one exercise at a time, ‹ Exercice 1/3 › and one button per exercise (marked
// when passed, with the state in its text, not only its colour).
import { button, el } from '../../shared/dom';
import { T } from '../text';
import type { Controller } from './controller';
import { Listeners } from './controller';
import type { LabView } from './view';

export class Stepper implements Controller {
  private readonly nav: HTMLElement;
  private readonly label: HTMLElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly dots: HTMLButtonElement[];
  private readonly passed: boolean[];
  private readonly listeners = new Listeners();
  private readonly watchers: ((index: number) => void)[] = [];
  private index = 0;

  constructor(private readonly view: LabView) {
    this.nav = el('nav', 'lab-stepper');
    this.nav.setAttribute('aria-label', T.exercisesNav);
    this.prev = button('lab-step-prev', '‹', T.previous);
    this.next = button('lab-step-next', '›', T.next);
    this.label = el('span', 'lab-step-label');
    this.label.setAttribute('aria-live', 'polite');
    const dots = el('span', 'lab-step-dots');
    this.dots = view.exercises.map((x, i) => button('lab-step-dot', String(i + 1), T.goTo(i + 1, x.title, false)));
    this.passed = view.exercises.map(() => false);
    dots.append(...this.dots);
    this.nav.append(this.prev, this.label, this.next, dots);
    if (view.exercises.length < 2) this.nav.classList.add('lab-stepper-single');
    view.side.prepend(this.nav);
  }

  bind(): void {
    this.dots.forEach((d, i) => this.listeners.on(d, 'click', () => this.show(i)));
    this.listeners.on(this.prev, 'click', () => this.show(this.index - 1));
    this.listeners.on(this.next, 'click', () => this.show(this.index + 1));
    this.show(0);
  }

  unbind(): void {
    this.listeners.clear();
    this.watchers.length = 0;
  }

  get current(): number {
    return this.index;
  }

  /** The id of the exercise shown. */
  get currentId(): string {
    return this.view.exercises[this.index]?.id ?? '';
  }

  /** Calls `fn(index)` after every change of exercise. */
  onChange(fn: (index: number) => void): void {
    this.watchers.push(fn);
  }

  show(i: number): void {
    const { exercises } = this.view;
    if (i < 0 || i >= exercises.length) return;
    this.index = i;
    exercises.forEach((x, k) => {
      x.el.hidden = k !== i;
      x.el.classList.toggle('lab-current', k === i);
      this.dots[k]?.setAttribute('aria-current', String(k === i));
    });
    this.label.textContent = T.exerciseOf(i + 1, exercises.length);
    this.prev.disabled = i === 0;
    this.next.disabled = i === exercises.length - 1;
    for (const fn of this.watchers) fn(i);
  }

  isPassed(i: number): boolean {
    return this.passed[i] ?? false;
  }

  setPassed(i: number, passed: boolean): void {
    const x = this.view.exercises[i];
    const d = this.dots[i];
    if (!x || !d) return;
    this.passed[i] = passed;
    x.el.classList.toggle('lab-passed', passed);
    d.classList.toggle('lab-step-passed', passed);
    d.textContent = passed ? `${i + 1} ${T.passedMark}` : String(i + 1);
    d.title = T.goTo(i + 1, x.title, passed);
    d.setAttribute('aria-label', d.title);
  }

  /** Shows the first exercise not passed yet (the last one when all are). */
  showFirstNotPassed(): void {
    const first = this.passed.findIndex((p) => !p);
    this.show(first >= 0 ? first : this.passed.length - 1);
  }
}
