// Live mode's command blocks: a click (or ▶) types the command into its node's terminal,
// power actions pull or plug back a node after a confirmation, « Taper la solution » types the
// reference solution. The solution's own blocks are not clickable (the button does that).
import { button } from '../../shared/dom';
import { actionDoneText, DEFAULT_NODE, isNodeAction, LAB, LAB_DATA, LAB_SELECTOR } from '../../shared/lab-contract';
import { api } from '../api';
import { T } from '../text';
import { confirmButton, type ConfirmButton } from './confirm';
import { errorText, Listeners, type Controller } from './controller';
import { flashButton, type LabView } from './view';

/** What the command blocks need from the live lab. */
export interface LiveContext {
  ready(): boolean;
  /** Shows the terminal of `node` (and focuses it when `focus`). */
  showTerminal(node: string, focus: boolean): void;
  status(text: string, error?: boolean): void;
}

export class LiveCommands implements Controller {
  private readonly listeners = new Listeners();
  private readonly runs: { fig: HTMLElement; pre: HTMLElement; run: HTMLButtonElement; node: string; text: string }[] = [];
  private readonly actions: ConfirmButton[] = [];
  private readonly solves: { button: HTMLButtonElement; exercise: string; node: string | undefined }[] = [];

  constructor(private readonly view: LabView, private readonly live: LiveContext) {
    for (const x of view.exercises) {
      for (const fig of x.el.querySelectorAll<HTMLElement>(`.${LAB.commands} ${LAB_SELECTOR.command}`)) {
        const pre = fig.querySelector<HTMLElement>('pre');
        const code = pre?.querySelector('code');
        if (!pre || !code || fig.closest(`.${LAB.solution}`)) continue;
        const node = fig.dataset[LAB_DATA.node] ?? DEFAULT_NODE;
        const run = button('lab-run', T.run, T.runTitle(node));
        fig.querySelector('.lab-command-tools')?.prepend(run);
        fig.classList.add('lab-command-clickable');
        pre.title = T.runTitle(node);
        this.runs.push({ fig, pre, run, node, text: code.textContent ?? '' });
      }
      for (const fig of x.el.querySelectorAll<HTMLElement>(LAB_SELECTOR.action)) {
        const b = fig.querySelector<HTMLButtonElement>(`.${LAB.actionButton}`);
        const node = fig.dataset[LAB_DATA.node];
        const action = fig.dataset[LAB_DATA.action];
        if (!b || !node || !isNodeAction(action)) continue;
        const label = b.textContent ?? '';
        const confirm = confirmButton(LAB.actionButton, label, T.actionConfirm(label), T.confirm, async (done) => {
          try {
            await api.nodeAction(node, action);
            done(actionDoneText(action, node));
          } catch (error) {
            done(T.error(errorText(error)));
          }
        });
        b.replaceWith(confirm.element);
        this.actions.push(confirm);
      }
      const details = x.el.querySelector<HTMLDetailsElement>(LAB_SELECTOR.solution);
      if (details) {
        const solve = button('lab-solve', T.typeSolution);
        details.append(solve);
        const node = details.querySelector<HTMLElement>(`figure.${LAB.command}[data-${LAB_DATA.node}]`)?.dataset[LAB_DATA.node];
        this.solves.push({ button: solve, exercise: x.id, node });
      }
    }
  }

  /** Buttons to disable while the cluster is busy (starting, resetting). */
  get busyButtons(): HTMLButtonElement[] {
    return [...this.runs.map((r) => r.run), ...this.actions.flatMap((a) => [a.trigger, a.yes]), ...this.solves.map((s) => s.button)];
  }

  bind(): void {
    for (const r of this.runs) {
      this.listeners.on(r.run, 'click', (e) => {
        e.stopPropagation();
        void this.send(r.fig, r.node, r.text);
      });
      this.listeners.on(r.pre, 'click', () => {
        // A text selection in the block is for copying, not for running.
        if (window.getSelection()?.toString()) return;
        void this.send(r.fig, r.node, r.text);
      });
    }
    for (const a of this.actions) a.bind(this.listeners);
    for (const s of this.solves) {
      this.listeners.on(s.button, 'click', async () => {
        s.button.disabled = true;
        try {
          if (s.node) this.live.showTerminal(s.node, false);
          await api.solve(this.view.lab, s.exercise);
          flashButton(s.button, T.typingSolution, T.typeSolution, 2000);
        } catch (error) {
          this.live.status(T.error(errorText(error)), true);
        } finally {
          s.button.disabled = false;
        }
      });
    }
  }

  unbind(): void {
    this.listeners.clear();
  }

  private async send(fig: HTMLElement, node: string, text: string): Promise<void> {
    if (!this.live.ready()) return;
    try {
      this.live.showTerminal(node, false);
      await api.type(node, `${text}\r`);
      fig.classList.add('lab-sent');
      setTimeout(() => fig.classList.remove('lab-sent'), 700);
      this.live.showTerminal(node, true);
    } catch (error) {
      this.live.status(T.error(errorText(error)), true);
    }
  }
}
