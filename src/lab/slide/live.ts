// Live mode: the learner's real cluster. Prepares the lab (api.start), mounts the terminal
// panel in the right column's stage, and holds what only exists live: the status line, reset,
// the check panel, the clickable commands, the full-width toggle. Everything here is created
// in the constructor, so nothing is nullable.
//
// The right column is a stage: `.lab-stage` holds `.lab-stage-terminal` (the panel) and has room
// for more panels beside it (`addPanel`, e.g. a live map of the cluster).
import type { RevealApi } from 'reveal.js';
import { button, el } from '../../shared/dom';
import { api, ApiError, currentServer, terminalUrl } from '../api';
import { serverBadge } from '../remote';
import { TerminalPanel } from '../terminal';
import { T } from '../text';
import { CheckPanel } from './check';
import { confirmButton, type ConfirmButton } from './confirm';
import { errorText, Listeners, type Controller } from './controller';
import { LiveCommands } from './live-commands';
import type { Stepper } from './stepper';
import type { LabView } from './view';

/** Terminal font size in slide pixels: 100 columns fit the stage at reveal's 960×700. */
export const TERMINAL_FONT_SIZE = 10;

export class LiveMode implements Controller {
  readonly check: CheckPanel;
  private readonly commands: LiveCommands;
  private readonly status: HTMLElement;
  private readonly reset: ConfirmButton;
  private readonly wide: HTMLButtonElement;
  private readonly stage: HTMLElement;
  private readonly terminalBox: HTMLElement;
  private readonly listeners = new Listeners();
  private readonly abort = new AbortController();
  private panel: TerminalPanel | undefined;
  private ready = false;

  constructor(
    private readonly view: LabView,
    private readonly stepper: Stepper,
    private readonly reveal: RevealApi,
  ) {
    view.root.classList.add('lab-live');
    this.status = el('span', 'lab-status');
    this.status.setAttribute('role', 'status');
    this.reset = confirmButton('lab-reset', T.reset, T.resetConfirm, T.resetYes, () => this.resetLab());
    view.toolbar.prepend(this.status);
    view.toolbar.append(this.reset.element);
    // Live on the learner's own server, from a site served elsewhere: say which, and « Oublier ».
    const remote = currentServer();
    if (remote) view.toolbar.prepend(serverBadge(remote));

    this.wide = button('lab-wide-toggle', T.wide);
    this.wide.setAttribute('aria-pressed', 'false');
    this.stage = el('div', 'lab-stage');
    this.terminalBox = el('div', 'lab-stage-terminal');
    this.stage.append(this.terminalBox);
    view.slot.append(this.stage);

    this.check = new CheckPanel(view, stepper, () => this.ready);
    this.commands = new LiveCommands(view, {
      ready: () => this.ready,
      showTerminal: (node, focus) => {
        this.panel?.select(node);
        if (focus) this.panel?.focus();
      },
      status: (text, error) => this.flashStatus(text, error),
    });
  }

  /** For tests and the console: the terminal panel, once the cluster is ready. */
  get terminal(): TerminalPanel | undefined {
    return this.panel;
  }

  /** Adds a panel beside the terminal in the right column (a live map, for instance). */
  addPanel(panel: HTMLElement): void {
    this.stage.append(panel);
  }

  private readonly onSlideChanged = (): void => {
    // Coming back to the slide: refresh the passed marks.
    if (this.reveal.getCurrentSlide() === this.view.section && this.ready) void this.refreshProgress(false);
  };

  bind(): void {
    this.check.bind();
    this.commands.bind();
    this.reset.bind(this.listeners);
    this.listeners.on(this.wide, 'click', () => this.setWide(this.wide.getAttribute('aria-pressed') !== 'true'));
    this.reveal.on('slidechanged', this.onSlideChanged);
    this.setBusy(true);
    void this.prepare();
  }

  unbind(): void {
    this.abort.abort();
    this.reveal.off('slidechanged', this.onSlideChanged);
    this.listeners.clear();
    this.commands.unbind();
    this.check.unbind();
    this.panel?.dispose();
    this.panel = undefined;
  }

  private async prepare(): Promise<void> {
    const waiting = this.view.notice(T.preparing, T.preparingDetail, true);
    try {
      const started = await api.start(this.view.lab);
      if (this.abort.signal.aborted) return;
      waiting.remove();
      if (started.notice) this.flashStatus(started.notice);
      const names = started.nodes.map((n) => n.name).filter(Boolean);
      this.mountPanel(names.length ? names : this.view.nodes);
      this.ready = true;
      this.setBusy(false);
      await this.refreshProgress(true);
    } catch (error) {
      if (this.abort.signal.aborted) return;
      waiting.remove();
      if (error instanceof ApiError && error.queue) return this.waitInLine(error.message, error.queue.retryAfter);
      const n = this.view.notice(T.startFailed(errorText(error)), '', false, 'lab-notice-error');
      const again = button('lab-retry', T.retry);
      again.addEventListener('click', () => {
        n.remove();
        void this.prepare();
      });
      n.append(again);
      again.focus({ preventScroll: true });
    }
  }

  /**
   * The room is full: the server's French message (« vous êtes 3ᵉ dans la file d’attente »)
   * in a live region, and a new request after the delay it gave, until a slot frees.
   */
  private waitInLine(message: string, retryAfterS: number): void {
    const n = this.view.notice(T.queued, message, true, 'lab-notice-queue');
    const timer = setTimeout(() => {
      n.remove();
      void this.prepare();
    }, Math.max(1, retryAfterS) * 1000);
    this.abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  }

  private mountPanel(nodes: string[]): void {
    this.panel?.dispose();
    this.panel = new TerminalPanel(this.terminalBox, {
      nodes: nodes.map((node) => ({ node })),
      wsUrl: terminalUrl,
      fontSize: TERMINAL_FONT_SIZE,
      tools: [this.wide],
    });
  }

  private setWide(wide: boolean): void {
    this.view.root.classList.toggle('lab-wide', wide);
    this.wide.setAttribute('aria-pressed', String(wide));
  }

  private setBusy(busy: boolean): void {
    this.view.root.classList.toggle('lab-busy', busy);
    for (const b of [this.check.button, this.reset.trigger, this.reset.yes, ...this.commands.busyButtons]) b.disabled = busy;
  }

  private async refreshProgress(chooseStep: boolean): Promise<void> {
    try {
      const progress = await api.progress();
      this.view.exercises.forEach((x, i) => this.stepper.setPassed(i, Boolean(progress.exercises[`${this.view.lab}/${x.id}`]?.passedAt)));
      if (chooseStep) this.stepper.showFirstNotPassed();
    } catch {
      /* progress is a comfort: the lab works without it */
    }
  }

  private flashStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('lab-status-error', error);
  }

  private async resetLab(): Promise<void> {
    this.check.abort();
    this.ready = false;
    this.setBusy(true);
    const waiting = this.view.notice(T.resetting, '', true, 'lab-notice-over');
    try {
      await api.reset(this.view.lab);
      this.flashStatus(T.resetDone);
      this.check.clear();
    } catch (error) {
      this.flashStatus(T.error(errorText(error)), true);
    } finally {
      waiting.remove();
      this.ready = true;
      this.setBusy(false);
    }
  }
}
