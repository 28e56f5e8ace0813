// Command blocks, in both modes: a « Copier » button on each typed command.
import { button, el } from '../../shared/dom';
import { LAB_SELECTOR } from '../../shared/lab-contract';
import { copyText } from '../clipboard';
import { T } from '../text';
import { Listeners, type Controller } from './controller';
import { flashButton, type LabView } from './view';

export class CommandBlocks implements Controller {
  private readonly listeners = new Listeners();
  private readonly copies: { button: HTMLButtonElement; text: string }[] = [];

  constructor(view: LabView) {
    for (const fig of view.root.querySelectorAll<HTMLElement>(LAB_SELECTOR.command)) {
      const code = fig.querySelector('pre code');
      if (!code) continue;
      const tools = el('span', 'lab-command-tools');
      const copy = button('lab-copy', T.copy, T.copyTitle);
      tools.append(copy);
      fig.querySelector('figcaption')?.append(tools);
      fig.dataset.enhanced = '';
      this.copies.push({ button: copy, text: code.textContent ?? '' });
    }
  }

  bind(): void {
    for (const { button: b, text } of this.copies) {
      this.listeners.on(b, 'click', async (e) => {
        e.stopPropagation();
        const ok = await copyText(text);
        flashButton(b, ok ? T.copied : T.copyFailed, T.copy);
      });
    }
  }

  unbind(): void {
    this.listeners.clear();
  }
}
