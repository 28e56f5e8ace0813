// Self-paced mode (no lab server, or no backend): a notice in the terminal's place, the
// recorded solution replayed (following the stepper, paused off the slide), what the checker
// verifies, hints folded, and the form to use the learner's own lab server.
import type { RevealApi } from 'reveal.js';
import { el } from '../../shared/dom';
import { LAB, LAB_SELECTOR } from '../../shared/lab-contract';
import { currentServer } from '../api';
import { serverForm } from '../remote';
import { ReplayView } from '../replay';
import { T } from '../text';
import type { Controller } from './controller';
import type { Stepper } from './stepper';
import type { LabView } from './view';

export type OfflineMode = { kind: 'no-server'; remoteError?: string } | { kind: 'no-backend'; reason: string };

export class SelfPacedMode implements Controller {
  /** The replay of the current exercise's recorded solution. */
  readonly replay: ReplayView;
  private readonly replaySlot: HTMLElement;

  constructor(
    private readonly view: LabView,
    private readonly stepper: Stepper,
    private readonly reveal: RevealApi,
    mode: OfflineMode,
  ) {
    view.root.classList.add('lab-self-paced');
    const notice = el('div', 'lab-notice lab-notice-offline');
    notice.setAttribute('role', 'note');
    if (mode.kind === 'no-backend') {
      notice.append(el('strong', undefined, T.noBackend), `\u00a0: ${T.noBackendDetail(mode.reason.replace(/\.\s*$/, ''))}`);
    } else {
      notice.append(el('strong', undefined, T.noServer), '\u00a0: lancez ', el('code', undefined, 'npm start'), ` ${T.noServerDetail}`);
    }
    this.replaySlot = el('div', 'lab-replay-slot');
    view.slot.replaceChildren(notice, this.replaySlot);
    view.slot.classList.add('lab-terminal-slot-offline');
    this.replay = new ReplayView(this.replaySlot, view.lab);
    // Not served by a lab server (static site): the learner may point the site at their own.
    if (mode.kind === 'no-server' || currentServer()) {
      view.slot.append(serverForm(mode.kind === 'no-server' ? mode.remoteError : undefined));
    }
    for (const li of view.root.querySelectorAll<HTMLElement>(LAB_SELECTOR.condition)) {
      const hints = li.querySelector<HTMLOListElement>(`ol.${LAB.hints}`);
      if (hints) {
        const details = el('details', 'lab-hints-details');
        hints.replaceWith(details);
        details.append(el('summary', undefined, T.hints(hints.children.length)), hints);
      }
    }
  }

  private readonly onSlideChanged = (): void => {
    if (this.reveal.getCurrentSlide() !== this.view.section) this.replay.pause();
  };

  bind(): void {
    this.stepper.onChange(() => this.follow());
    this.follow();
    this.reveal.on('slidechanged', this.onSlideChanged);
  }

  unbind(): void {
    this.reveal.off('slidechanged', this.onSlideChanged);
    this.replay.dispose();
  }

  private follow(): void {
    const id = this.stepper.currentId;
    this.replaySlot.dataset.exercise = id;
    void this.replay.show(id);
  }
}
