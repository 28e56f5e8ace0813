// « Vérifier » and its verdict: each condition's live state (icon and text, never colour only),
// observed/expected on failure, hints revealed one at a time. Live mode only.
import { button, el } from '../../shared/dom';
import { LAB, LAB_DATA, LAB_SELECTOR } from '../../shared/lab-contract';
import type { AutoCheckResult } from '../../shared/auto-check';
import { api, type ConditionResult } from '../api';
import { T } from '../text';
import { errorText, Listeners, type Controller } from './controller';
import type { Stepper } from './stepper';
import type { LabView } from './view';

type ConditionState = 'idle' | 'running' | 'ok' | 'fail';

interface ConditionView {
  el: HTMLElement;
  index: number;
  /** The state in words, for screen readers (the icon is decorative). */
  stateText: HTMLElement;
  detail: HTMLElement;
  hints: HTMLLIElement[];
  hintButton: HTMLButtonElement | null;
  revealed: number;
}

const STATE_TEXT: Record<ConditionState, string> = {
  idle: T.conditionIdle,
  running: T.conditionRunning,
  ok: T.conditionOk,
  fail: T.conditionFail,
};

export class CheckPanel implements Controller {
  private readonly bar: HTMLElement;
  private readonly checkButton: HTMLButtonElement;
  private readonly verdict: HTMLElement;
  /** The conditions of each exercise, in the order of the view's exercises. */
  private readonly conditions: ConditionView[][];
  private readonly listeners = new Listeners();
  private checking: AbortController | null = null;

  constructor(
    private readonly view: LabView,
    private readonly stepper: Stepper,
    private readonly isReady: () => boolean,
  ) {
    this.bar = el('div', 'lab-checkbar');
    this.checkButton = button('lab-check', T.check, T.checkTitle);
    this.verdict = el('span', 'lab-verdict');
    this.verdict.setAttribute('role', 'status');
    this.bar.append(this.checkButton, this.verdict);
    view.side.append(this.bar);
    this.conditions = view.exercises.map((x) => [...x.el.querySelectorAll<HTMLElement>(LAB_SELECTOR.condition)].map((li) => this.enhance(li)));
  }

  bind(): void {
    this.listeners.on(this.checkButton, 'click', () => void this.check());
    for (const list of this.conditions) {
      for (const c of list) if (c.hintButton) this.listeners.on(c.hintButton, 'click', () => this.revealHint(c));
    }
    this.stepper.onChange(() => this.setVerdict('', ''));
  }

  unbind(): void {
    this.checking?.abort();
    this.listeners.clear();
  }

  /** « Vérifier » (disabled while the cluster is busy). */
  get button(): HTMLButtonElement {
    return this.checkButton;
  }

  /** Stops a check under way (reset). */
  abort(): void {
    this.checking?.abort();
  }

  /** Back to « not checked yet » (after a reset). */
  clear(): void {
    for (const list of this.conditions) {
      for (const c of list) {
        this.setState(c, 'idle');
        c.detail.replaceChildren();
        c.revealed = 0;
        c.hints.forEach((h) => (h.hidden = true));
        c.el.classList.remove('lab-hints-open');
        if (c.hintButton) {
          c.hintButton.hidden = true;
          c.hintButton.textContent = T.hintButton(1, c.hints.length);
        }
      }
    }
    this.setVerdict('', '');
  }

  async check(): Promise<void> {
    if (!this.isReady() || this.checking) return;
    const index = this.stepper.current;
    const x = this.view.exercises[index];
    const conditions = this.conditions[index];
    if (!x || !conditions) return;
    const ctrl = new AbortController();
    this.checking = ctrl;
    const b = this.checkButton;
    b.disabled = true;
    b.textContent = T.checking;
    this.view.root.classList.add('lab-checking');
    this.setVerdict('', '');
    for (const c of conditions) {
      this.setState(c, 'running');
      c.detail.replaceChildren();
    }
    try {
      const report = await api.check(this.view.lab, x.id, (results) => this.showResults(conditions, results, false), ctrl.signal);
      this.showResults(conditions, report.conditions, true);
      const failed = report.conditions.filter((c) => !c.ok).length;
      if (this.stepper.current === index) {
        this.setVerdict(report.ok ? T.passed : T.notYet(failed, report.conditions.length), report.ok ? 'lab-verdict-ok' : 'lab-verdict-fail');
      }
      if (report.ok) this.stepper.setPassed(index, true);
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      for (const c of conditions) this.setState(c, 'idle');
      this.setVerdict(T.checkFailed(errorText(error)), 'lab-verdict-error');
    } finally {
      this.checking = null;
      b.disabled = false;
      b.textContent = T.check;
      this.view.root.classList.remove('lab-checking');
    }
  }

  /**
   * Results of the automatic checks (server/live/auto-check.ts): passed conditions turn green,
   * the others go back to « not checked yet »; an explicit check under way keeps the panel.
   */
  showAuto(index: number, result: AutoCheckResult): void {
    const conditions = this.conditions[index];
    if (!conditions || (this.checking && this.stepper.current === index)) return;
    for (const r of result.conditions) {
      const c = conditions.find((v) => v.index === r.index);
      if (!c || r.skipped) continue;
      const was = c.el.dataset.state;
      if (r.ok) {
        this.setState(c, 'ok');
        c.detail.replaceChildren();
        if (c.hintButton) c.hintButton.hidden = true;
      } else if (was === 'ok') this.setState(c, 'idle');
    }
    if (result.passed && this.stepper.current === index) this.setVerdict(T.passed, 'lab-verdict-ok');
  }

  private enhance(li: HTMLElement): ConditionView {
    const icon = el('span', 'lab-condition-icon');
    icon.setAttribute('aria-hidden', 'true');
    const stateText = el('span', 'lab-visually-hidden');
    li.prepend(icon, stateText);
    const detail = el('div', 'lab-condition-detail');
    li.querySelector(`.${LAB.conditionMessage}`)?.after(detail);
    const hints = [...li.querySelectorAll<HTMLLIElement>(`ol.${LAB.hints} > li`)];
    hints.forEach((h) => (h.hidden = true));
    let hintButton: HTMLButtonElement | null = null;
    if (hints.length) {
      hintButton = button('lab-hint-button', T.hintButton(1, hints.length));
      hintButton.hidden = true;
      li.append(hintButton);
    }
    const view: ConditionView = { el: li, index: Number(li.dataset[LAB_DATA.index]), stateText, detail, hints, hintButton, revealed: 0 };
    this.setState(view, 'idle');
    return view;
  }

  private setState(c: ConditionView, state: ConditionState): void {
    c.el.dataset.state = state;
    c.stateText.textContent = STATE_TEXT[state];
  }

  private setVerdict(text: string, cls: string): void {
    this.verdict.textContent = text;
    this.verdict.className = `lab-verdict ${cls}`.trim();
  }

  private revealHint(c: ConditionView): void {
    const hint = c.hints[c.revealed];
    if (!hint) return;
    hint.hidden = false;
    c.revealed++;
    c.el.classList.add('lab-hints-open');
    if (c.hintButton) {
      c.hintButton.hidden = c.revealed >= c.hints.length;
      c.hintButton.textContent = T.hintButton(c.revealed + 1, c.hints.length);
      // The button may hide itself: keep the keyboard focus on the condition's hints.
      if (c.hintButton.hidden) {
        hint.tabIndex = -1;
        hint.focus();
      }
    }
  }

  private showResults(conditions: ConditionView[], results: ConditionResult[], final: boolean): void {
    for (const r of results) {
      const c = conditions.find((v) => v.index === r.index);
      if (!c) continue;
      this.setState(c, r.ok ? 'ok' : final ? 'fail' : 'running');
      const parts: HTMLElement[] = [];
      if (!r.ok) {
        if (r.progress) parts.push(el('span', 'lab-progress-text', r.progress));
        if (final || !r.progress) {
          const obs = el('span', 'lab-observed');
          obs.append(el('span', 'lab-detail-label', T.observed), r.observed);
          const exp = el('span', 'lab-expected');
          exp.append(el('span', 'lab-detail-label', T.expected), r.expected);
          parts.push(obs, exp);
        }
      }
      c.detail.replaceChildren(...parts);
      if (final && !r.ok && c.hintButton && c.revealed < c.hints.length) c.hintButton.hidden = false;
      if (r.ok && c.hintButton) c.hintButton.hidden = true;
    }
  }
}
