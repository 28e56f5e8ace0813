// One lab slide turned into the lab UI. The markup comes from server/labs/markup.ts (complete
// without a server); this adds, in both modes, a stepper (one exercise at a time) and copy
// buttons, then either the live lab (terminals, « Vérifier », hints, solution, reset, power
// actions) or the self-paced mode (criteria, hints, solution, notice).
import type { RevealApi } from 'reveal.js';
import { api, ApiError, currentServer, terminalUrl, type ConditionResult, type Progress } from './api';
import { copyText } from './clipboard';
import { installProgressView, openProgress } from './progress-view';
import { serverBadge, serverForm } from './remote';
import { ReplayView } from './replay';
import { T } from './text';
import { TerminalPanel } from './terminal';

interface ExerciseView {
  el: HTMLElement;
  id: string;
  title: string;
  conditions: ConditionView[];
  passed: boolean;
}

interface ConditionView {
  el: HTMLElement;
  index: number;
  detail: HTMLElement;
  hints: HTMLLIElement[];
  hintButton: HTMLButtonElement | null;
  revealed: number;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(cls: string, text: string, title?: string): HTMLButtonElement {
  const b = el('button', cls, text);
  b.type = 'button';
  if (title) {
    b.title = title;
    b.setAttribute('aria-label', title);
  }
  return b;
}

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : (error as Error)?.message || String(error);
}

export type LabMode = { kind: 'live' } | { kind: 'no-server'; remoteError?: string } | { kind: 'no-backend'; reason: string };

export class LabSlide {
  readonly root: HTMLElement;
  readonly lab: string;
  private readonly nodes: string[];
  private readonly exercises: ExerciseView[];
  private readonly side: HTMLElement;
  private readonly slot: HTMLElement;
  private readonly stepLabel: HTMLElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly dots: HTMLButtonElement[] = [];
  private readonly toolbar: HTMLElement;
  private current = 0;
  private panel: TerminalPanel | null = null;
  private checkBar: HTMLElement | null = null;
  private checkButton: HTMLButtonElement | null = null;
  private verdict: HTMLElement | null = null;
  private status: HTMLElement | null = null;
  private abort = new AbortController();
  private checking: AbortController | null = null;
  private ready = false;
  private readonly offs: (() => void)[] = [];
  private replaySlot: HTMLElement | null = null;
  /** Self-paced: the replay of the current exercise's recorded solution. */
  replay: ReplayView | null = null;

  constructor(readonly section: HTMLElement, private readonly reveal: RevealApi, private readonly mode: LabMode) {
    const root = section.querySelector<HTMLElement>('.lab[data-lab]');
    if (!root) throw new Error(`diapositive de TP sans .lab[data-lab] (${section.dataset.lab})`);
    this.root = root;
    this.lab = root.dataset.lab!;
    this.nodes = (root.dataset.nodes ?? 'manager1').split(',').filter(Boolean);
    root.classList.add('lab-enhanced', mode.kind === 'live' ? 'lab-live' : 'lab-self-paced');

    const list = root.querySelector<HTMLElement>('.lab-exercises')!;
    this.slot = root.querySelector<HTMLElement>('.lab-terminal-slot')!;
    this.exercises = [...list.querySelectorAll<HTMLElement>(':scope > .lab-exercise')].map((e) => ({
      el: e,
      id: e.dataset.exercise!,
      title: (e.querySelector('.lab-exercise-title')?.textContent ?? '').replace(/^\s*\d+\.\s*/, '').trim(),
      conditions: [],
      passed: false,
    }));

    // Left column: stepper, the exercise, (live) the check bar.
    this.side = el('div', 'lab-side');
    list.before(this.side);
    const stepper = el('nav', 'lab-stepper');
    stepper.setAttribute('aria-label', 'Exercices');
    this.prev = button('lab-step-prev', '‹', T.previous);
    this.next = button('lab-step-next', '›', T.next);
    this.stepLabel = el('span', 'lab-step-label');
    this.stepLabel.setAttribute('aria-live', 'polite');
    const dots = el('span', 'lab-step-dots');
    this.exercises.forEach((x, i) => {
      const d = button('lab-step-dot', String(i + 1), T.goTo(i + 1, x.title, false));
      d.addEventListener('click', () => this.show(i));
      this.dots.push(d);
      dots.append(d);
    });
    this.prev.addEventListener('click', () => this.show(this.current - 1));
    this.next.addEventListener('click', () => this.show(this.current + 1));
    stepper.append(this.prev, this.stepLabel, this.next, dots);
    if (this.exercises.length < 2) stepper.classList.add('lab-stepper-single');
    this.side.append(stepper, list);

    // Header toolbar: course progress (and, live, reset).
    this.toolbar = el('div', 'lab-toolbar');
    root.querySelector('.lab-head')?.append(this.toolbar);
    const summary = root.querySelector<HTMLElement>('.lab-summary');
    if (summary) summary.title = summary.textContent ?? '';
    const progressButton = button('lab-progress-button', T.progressButton, `${T.progressTitle} (T)`);
    progressButton.addEventListener('click', () => void openProgress());
    this.toolbar.append(progressButton);
    installProgressView(reveal, { load: () => (this.mode.kind === 'live' ? api.progress() : Promise.resolve(null)) });

    for (const x of this.exercises) this.enhanceCommands(x.el);
    this.show(0);
  }

  dispose(): void {
    this.abort.abort();
    this.checking?.abort();
    for (const off of this.offs) off();
    this.panel?.dispose();
    this.panel = null;
    this.replay?.dispose();
    this.replay = null;
  }

  // ------------------------------------------------------------------ stepper

  show(i: number): void {
    if (i < 0 || i >= this.exercises.length) return;
    this.current = i;
    this.exercises.forEach((x, k) => {
      x.el.hidden = k !== i;
      x.el.classList.toggle('lab-current', k === i);
      this.dots[k]!.setAttribute('aria-current', String(k === i));
    });
    this.stepLabel.textContent = T.exerciseOf(i + 1, this.exercises.length);
    this.prev.disabled = i === 0;
    this.next.disabled = i === this.exercises.length - 1;
    if (this.verdict) {
      this.verdict.textContent = '';
      this.verdict.className = 'lab-verdict';
    }
    if (this.replaySlot) this.replaySlot.dataset.exercise = this.exercises[i]!.id;
    void this.replay?.show(this.exercises[i]!.id);
  }

  get currentExercise(): string {
    return this.exercises[this.current]!.id;
  }

  private markPassed(progress: Progress): void {
    this.exercises.forEach((x, i) => {
      x.passed = Boolean(progress.exercises[`${this.lab}/${x.id}`]?.passedAt);
      this.setPassed(i, x.passed);
    });
  }

  private setPassed(i: number, passed: boolean): void {
    const x = this.exercises[i]!;
    x.passed = passed;
    x.el.classList.toggle('lab-passed', passed);
    const d = this.dots[i]!;
    d.classList.toggle('lab-step-passed', passed);
    d.textContent = passed ? `${i + 1} ${T.passedMark}` : String(i + 1);
    d.title = T.goTo(i + 1, x.title, passed);
    d.setAttribute('aria-label', d.title);
  }

  // ------------------------------------------------------------------ command blocks

  private enhanceCommands(scope: HTMLElement): void {
    for (const fig of scope.querySelectorAll<HTMLElement>('figure.lab-command:not(.lab-action)')) {
      const code = fig.querySelector('pre code');
      if (!code) continue;
      const text = code.textContent ?? '';
      const tools = el('span', 'lab-command-tools');
      const copy = button('lab-copy', T.copy, T.copyTitle);
      copy.addEventListener('click', async (e) => {
        e.stopPropagation();
        const ok = await copyText(text);
        this.flashButton(copy, ok ? T.copied : T.copyFailed, T.copy);
      });
      tools.append(copy);
      fig.querySelector('figcaption')?.append(tools);
      fig.dataset.enhanced = '';
    }
  }

  private flashButton(b: HTMLButtonElement, text: string, back: string, ms = 1500): void {
    b.textContent = text;
    b.classList.add('lab-flash');
    setTimeout(() => {
      b.textContent = back;
      b.classList.remove('lab-flash');
    }, ms);
  }

  // ------------------------------------------------------------------ self-paced mode

  startSelfPaced(): void {
    const notice = el('div', 'lab-notice lab-notice-offline');
    notice.setAttribute('role', 'note');
    if (this.mode.kind === 'no-backend') {
      notice.append(el('strong', undefined, T.noBackend), `\u00a0: ${T.noBackendDetail(this.mode.reason.replace(/\.\s*$/, ''))}`);
    } else {
      const code = el('code', undefined, 'npm start');
      notice.append(el('strong', undefined, T.noServer), '\u00a0: lancez ', code, ' pour un terminal et la vérification, ou suivez le TP dans votre propre terminal avec les commandes ci-contre.');
    }
    this.replaySlot = el('div', 'lab-replay-slot');
    this.replaySlot.dataset.exercise = this.currentExercise;
    this.slot.replaceChildren(notice, this.replaySlot);
    this.slot.classList.add('lab-terminal-slot-offline');
    // The recorded solution of the current exercise (follows the stepper), paused off the slide.
    this.replay = new ReplayView(this.replaySlot, this.lab);
    void this.replay.show(this.currentExercise);
    const onChange = () => {
      if (this.reveal.getCurrentSlide() !== this.section) this.replay?.pause();
    };
    this.reveal.on('slidechanged', onChange);
    this.offs.push(() => this.reveal.off('slidechanged', onChange));
    // Not served by a lab server (static site): the learner may point the site at their own.
    if (this.mode.kind === 'no-server' || currentServer()) {
      this.slot.append(serverForm(this.mode.kind === 'no-server' ? this.mode.remoteError : undefined));
    }

    for (const x of this.exercises) {
      for (const li of x.el.querySelectorAll<HTMLElement>('.lab-condition')) {
        const crit = li.querySelector<HTMLElement>('.lab-criterion');
        if (crit && !crit.querySelector('.lab-criterion-label')) crit.prepend(el('span', 'lab-criterion-label', T.criterion));
        const hints = li.querySelector<HTMLOListElement>('ol.lab-hints');
        if (hints) {
          const det = el('details', 'lab-hints-details');
          const sum = el('summary', undefined, T.hints(hints.children.length));
          hints.replaceWith(det);
          det.append(sum, hints);
        }
      }
    }
  }

  // ------------------------------------------------------------------ live mode

  async startLive(): Promise<void> {
    // Header: status and reset.
    this.status = el('span', 'lab-status');
    this.status.setAttribute('role', 'status');
    const reset = this.confirmButton('lab-reset', T.reset, T.resetConfirm, T.resetYes, () => this.resetLab());
    this.toolbar.prepend(this.status);
    this.toolbar.append(reset);
    // Live on the learner's own server, from a site served elsewhere: say which, and « Oublier ».
    const remote = currentServer();
    if (remote) this.toolbar.prepend(serverBadge(remote));

    // Left column: the check bar under the exercise.
    this.checkBar = el('div', 'lab-checkbar');
    this.checkButton = button('lab-check', T.check, T.checkTitle);
    this.checkButton.addEventListener('click', () => void this.check());
    this.verdict = el('span', 'lab-verdict');
    this.verdict.setAttribute('role', 'status');
    this.checkBar.append(this.checkButton, this.verdict);
    this.side.append(this.checkBar);

    for (const x of this.exercises) this.enhanceLiveExercise(x);
    this.setBusy(true);

    // Follow reveal: refresh the passed marks when coming back to the slide.
    const onChange = () => {
      if (this.reveal.getCurrentSlide() === this.section && this.ready) void this.refreshProgress();
    };
    this.reveal.on('slidechanged', onChange);
    this.offs.push(() => this.reveal.off('slidechanged', onChange));

    await this.prepare();
  }

  private async prepare(): Promise<void> {
    const waiting = this.notice(T.preparing, T.preparingDetail, true);
    try {
      const started = await api.start(this.lab);
      if (this.abort.signal.aborted) return;
      waiting.remove();
      const names = started.nodes.map((n) => n.name).filter(Boolean);
      this.mountPanel(names.length ? names : this.nodes);
      this.ready = true;
      this.setBusy(false);
      await this.refreshProgress(true);
    } catch (error) {
      if (this.abort.signal.aborted) return;
      waiting.remove();
      const n = this.notice(T.startFailed(message(error)), '', false, 'lab-notice-error');
      const again = button('lab-retry', T.retry);
      again.addEventListener('click', () => {
        n.remove();
        void this.prepare();
      });
      n.append(again);
    }
  }

  private mountPanel(nodes: string[]): void {
    this.panel?.dispose();
    this.panel = new TerminalPanel(this.slot, {
      nodes: nodes.map((node) => ({ node })),
      wsUrl: terminalUrl,
      fontSize: 13,
    });
  }

  /** For tests and the console: the panel of this slide. */
  get terminal(): TerminalPanel | null {
    return this.panel;
  }

  private notice(title: string, detail: string, spinner: boolean, cls = ''): HTMLElement {
    const n = el('div', `lab-notice ${cls}`.trim());
    n.setAttribute('role', 'status');
    if (spinner) n.append(el('span', 'lab-spinner'));
    n.append(el('strong', undefined, title));
    if (detail) n.append(el('span', 'lab-notice-detail', detail));
    this.slot.append(n);
    return n;
  }

  private setBusy(busy: boolean): void {
    this.root.classList.toggle('lab-busy', busy);
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('.lab-check, .lab-run, .lab-solve, .lab-action-button, .lab-reset, .lab-reset-yes')) {
      b.disabled = busy;
    }
  }

  private async refreshProgress(chooseStep = false): Promise<void> {
    try {
      const progress = await api.progress();
      this.markPassed(progress);
      if (chooseStep) {
        const first = this.exercises.findIndex((x) => !x.passed);
        this.show(first >= 0 ? first : this.exercises.length - 1);
      }
    } catch {
      /* progress is a comfort: the lab works without it */
    }
  }

  private enhanceLiveExercise(x: ExerciseView): void {
    // Clickable command blocks (not those of the solution: « Taper la solution » does that).
    for (const fig of x.el.querySelectorAll<HTMLElement>('.lab-commands figure.lab-command:not(.lab-action)')) {
      const code = fig.querySelector('pre code');
      if (!code || fig.closest('.lab-solution')) continue;
      const node = fig.dataset.node ?? 'manager1';
      const text = code.textContent ?? '';
      const run = button('lab-run', T.run, T.runTitle(node));
      fig.querySelector('.lab-command-tools')?.prepend(run);
      fig.classList.add('lab-command-clickable');
      const send = async () => {
        if (!this.ready) return;
        try {
          this.panel?.select(node);
          await api.type(node, `${text}\r`);
          fig.classList.add('lab-sent');
          setTimeout(() => fig.classList.remove('lab-sent'), 700);
          this.panel?.focus();
        } catch (error) {
          this.flashStatus(T.error(message(error)), true);
        }
      };
      run.addEventListener('click', (e) => {
        e.stopPropagation();
        void send();
      });
      fig.querySelector('pre')?.addEventListener('click', () => {
        // A text selection in the block is for copying, not for running.
        if (window.getSelection()?.toString()) return;
        void send();
      });
      fig.querySelector('pre')?.setAttribute('title', T.runTitle(node));
    }

    // Power actions, with a confirmation step.
    for (const fig of x.el.querySelectorAll<HTMLElement>('figure.lab-action')) {
      const b = fig.querySelector<HTMLButtonElement>('.lab-action-button');
      const node = fig.dataset.node!;
      const action = fig.dataset.action as 'stop' | 'start';
      if (!b) continue;
      const label = b.textContent ?? '';
      const wrapper = this.confirmButton('lab-action-button', label, T.actionConfirm(label), T.confirm, async (done) => {
        try {
          await api.power(node, action);
          done(T.actionDone(node, action));
        } catch (error) {
          done(T.error(message(error)));
        }
      });
      b.replaceWith(wrapper);
    }

    // Conditions: live state, observed/expected, hints one at a time.
    x.conditions = [...x.el.querySelectorAll<HTMLElement>('.lab-condition')].map((li) => {
      const icon = el('span', 'lab-condition-icon');
      icon.setAttribute('aria-hidden', 'true');
      li.prepend(icon);
      const detail = el('div', 'lab-condition-detail');
      li.querySelector('.lab-condition-message')?.after(detail);
      const hints = [...li.querySelectorAll<HTMLLIElement>('ol.lab-hints > li')];
      hints.forEach((h) => (h.hidden = true));
      let hintButton: HTMLButtonElement | null = null;
      const view: ConditionView = { el: li, index: Number(li.dataset.index), detail, hints, hintButton: null, revealed: 0 };
      if (hints.length) {
        hintButton = button('lab-hint-button', T.hintButton(1, hints.length));
        hintButton.hidden = true;
        hintButton.addEventListener('click', () => this.revealHint(view));
        li.append(hintButton);
        view.hintButton = hintButton;
      }
      li.dataset.state = 'idle';
      return view;
    });

    // The solution: typed into the terminal on demand.
    const details = x.el.querySelector<HTMLDetailsElement>('details.lab-solution');
    if (details) {
      const solve = button('lab-solve', T.typeSolution);
      solve.addEventListener('click', async () => {
        solve.disabled = true;
        try {
          const first = details.querySelector<HTMLElement>('figure.lab-command[data-node]')?.dataset.node;
          if (first) this.panel?.select(first);
          await api.solve(this.lab, x.id);
          this.flashButton(solve, T.typingSolution, T.typeSolution, 2000);
        } catch (error) {
          this.flashStatus(T.error(message(error)), true);
        } finally {
          solve.disabled = false;
        }
      });
      details.append(solve);
    }
  }

  private revealHint(c: ConditionView): void {
    if (c.revealed >= c.hints.length) return;
    c.hints[c.revealed]!.hidden = false;
    c.revealed++;
    c.el.classList.add('lab-hints-open');
    if (c.hintButton) {
      c.hintButton.hidden = c.revealed >= c.hints.length;
      c.hintButton.textContent = T.hintButton(c.revealed + 1, c.hints.length);
    }
  }

  /** A button that asks for confirmation in place (no modal). `run` gets `done(text)` to show a result. */
  private confirmButton(cls: string, label: string, question: string, yes: string, run: (done: (text: string) => void) => Promise<void>): HTMLElement {
    const box = el('span', `lab-confirm ${cls}-box`);
    const first = button(cls, label);
    const ask = el('span', 'lab-confirm-ask');
    ask.hidden = true;
    const q = el('span', 'lab-confirm-question', question);
    const ok = button(`${cls}-yes lab-confirm-yes`, yes);
    const no = button('lab-confirm-no', T.cancel);
    const result = el('span', 'lab-confirm-result');
    result.setAttribute('role', 'status');
    ask.append(q, ok, no);
    box.append(first, ask, result);
    first.addEventListener('click', () => {
      result.textContent = '';
      first.hidden = true;
      ask.hidden = false;
      ok.focus();
    });
    no.addEventListener('click', () => {
      ask.hidden = true;
      first.hidden = false;
      first.focus();
    });
    ok.addEventListener('click', async () => {
      ok.disabled = no.disabled = true;
      q.textContent = T.actionRunning;
      await run((text) => (result.textContent = text));
      ok.disabled = no.disabled = false;
      q.textContent = question;
      ask.hidden = true;
      first.hidden = false;
    });
    return box;
  }

  private flashStatus(text: string, error = false): void {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.classList.toggle('lab-status-error', error);
  }

  private async resetLab(): Promise<void> {
    this.checking?.abort();
    this.ready = false;
    this.setBusy(true);
    const waiting = this.notice(T.resetting, '', true, 'lab-notice-over');
    try {
      await api.reset(this.lab);
      this.flashStatus(T.resetDone);
      for (const x of this.exercises) this.clearResults(x);
    } catch (error) {
      this.flashStatus(T.error(message(error)), true);
    } finally {
      waiting.remove();
      this.ready = true;
      this.setBusy(false);
    }
  }

  private clearResults(x: ExerciseView): void {
    for (const c of x.conditions) {
      c.el.dataset.state = 'idle';
      c.detail.replaceChildren();
      c.revealed = 0;
      c.hints.forEach((h) => (h.hidden = true));
      c.el.classList.remove('lab-hints-open');
      if (c.hintButton) {
        c.hintButton.hidden = true;
        c.hintButton.textContent = T.hintButton(1, c.hints.length);
      }
    }
    if (this.verdict) {
      this.verdict.textContent = '';
      this.verdict.className = 'lab-verdict';
    }
  }

  // ------------------------------------------------------------------ check

  async check(): Promise<void> {
    if (!this.ready || this.checking) return;
    const index = this.current;
    const x = this.exercises[index]!;
    const ctrl = new AbortController();
    this.checking = ctrl;
    const b = this.checkButton!;
    b.disabled = true;
    b.textContent = T.checking;
    this.root.classList.add('lab-checking');
    this.verdict!.textContent = '';
    this.verdict!.className = 'lab-verdict';
    for (const c of x.conditions) {
      c.el.dataset.state = 'running';
      c.detail.replaceChildren();
    }
    try {
      const report = await api.check(this.lab, x.id, (results) => this.showResults(x, results, false), ctrl.signal);
      this.showResults(x, report.conditions, true);
      const failed = report.conditions.filter((c) => !c.ok).length;
      if (this.current === index) {
        this.verdict!.textContent = report.ok ? T.passed : T.notYet(failed, report.conditions.length);
        this.verdict!.className = `lab-verdict ${report.ok ? 'lab-verdict-ok' : 'lab-verdict-fail'}`;
      }
      if (report.ok) this.setPassed(index, true);
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      for (const c of x.conditions) c.el.dataset.state = 'idle';
      this.verdict!.textContent = T.checkFailed(message(error));
      this.verdict!.className = 'lab-verdict lab-verdict-error';
    } finally {
      this.checking = null;
      b.disabled = false;
      b.textContent = T.check;
      this.root.classList.remove('lab-checking');
    }
  }

  private showResults(x: ExerciseView, results: ConditionResult[], final: boolean): void {
    for (const r of results) {
      const c = x.conditions.find((v) => v.index === r.index);
      if (!c) continue;
      c.el.dataset.state = r.ok ? 'ok' : final ? 'fail' : 'running';
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
