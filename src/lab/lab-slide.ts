// One lab slide turned into the lab UI. The markup comes from src/labs/markup.ts (complete
// without a server, contract in src/shared/lab-contract.ts); this composes small controllers,
// each with one concern (src/lab/slide/): in both modes the stepper (one exercise at a time) and
// the command blocks' copy buttons, then either the live lab (terminals, « Vérifier », hints,
// solution, reset, power actions) or the self-paced mode (criteria, hints, solution, replay).
import type { RevealApi } from 'reveal.js';
import { button } from '../shared/dom';
import { api } from './api';
import { installProgressView, openProgress } from './progress-view';
import { CommandBlocks } from './slide/commands';
import { Listeners, type Controller } from './slide/controller';
import { LiveMode } from './slide/live';
import { SelfPacedMode, type OfflineMode } from './slide/self-paced';
import { Stepper } from './slide/stepper';
import { LabView } from './slide/view';
import type { ReplayView } from './replay';
import type { TerminalPanel } from './terminal';
import { T } from './text';

export type LabMode = { kind: 'live' } | OfflineMode;

/** The course progress button of the header (« T » opens it too). */
class ProgressButton implements Controller {
  private readonly button = button('lab-progress-button', T.progressButton, `${T.progressTitle} (T)`);
  private readonly listeners = new Listeners();

  constructor(view: LabView, private readonly reveal: RevealApi, private readonly live: boolean) {
    view.toolbar.append(this.button);
  }

  bind(): void {
    this.listeners.on(this.button, 'click', () => void openProgress());
    installProgressView(this.reveal, { load: () => (this.live ? api.progress() : Promise.resolve(null)) });
  }

  unbind(): void {
    this.listeners.clear();
  }
}

/**
 * Keys on the lab's own controls stay theirs: reveal listens on the document and would turn
 * Space on a button into « next slide » (and Enter is the controls' own key).
 */
class ControlKeys implements Controller {
  private readonly listeners = new Listeners();

  constructor(private readonly root: HTMLElement) {}

  bind(): void {
    this.listeners.on(this.root, 'keydown', (e) => {
      const target = e.target as HTMLElement | null;
      if ((e.key === ' ' || e.key === 'Enter') && target?.closest('button, summary, input, a[href], select, textarea')) e.stopPropagation();
    });
  }

  unbind(): void {
    this.listeners.clear();
  }
}

export class LabSlide {
  readonly lab: string;
  readonly stepper: Stepper;
  /** The mode's controller: live or self-paced. */
  readonly mode: LiveMode | SelfPacedMode;
  private readonly controllers: Controller[];

  constructor(readonly section: HTMLElement, reveal: RevealApi, mode: LabMode) {
    const view = new LabView(section);
    view.root.classList.add('lab-enhanced');
    this.lab = view.lab;
    this.stepper = new Stepper(view);
    const progress = new ProgressButton(view, reveal, mode.kind === 'live');
    const commands = new CommandBlocks(view);
    this.mode = mode.kind === 'live' ? new LiveMode(view, this.stepper, reveal) : new SelfPacedMode(view, this.stepper, reveal, mode);
    this.controllers = [new ControlKeys(view.root), this.stepper, progress, commands, this.mode];
  }

  bind(): void {
    for (const c of this.controllers) c.bind();
  }

  unbind(): void {
    for (const c of [...this.controllers].reverse()) c.unbind();
  }

  /** For tests and the console: the terminal panel (live, once the cluster is ready). */
  get terminal(): TerminalPanel | undefined {
    return this.mode instanceof LiveMode ? this.mode.terminal : undefined;
  }

  /** For tests and the console: the replay of the recorded solution (self-paced). */
  get replay(): ReplayView | undefined {
    return this.mode instanceof SelfPacedMode ? this.mode.replay : undefined;
  }
}
