// A button that asks for confirmation in place (no modal): reset, power actions.
import { button, el } from '../../shared/dom';
import { T } from '../text';
import { Listeners } from './controller';

export interface ConfirmButton {
  element: HTMLElement;
  /** The first button (disabled while the lab is busy). */
  trigger: HTMLButtonElement;
  yes: HTMLButtonElement;
  bind(listeners: Listeners): void;
}

/** `run` gets `done(text)` to show its result beside the button. */
export function confirmButton(cls: string, label: string, question: string, yesLabel: string, run: (done: (text: string) => void) => Promise<void>): ConfirmButton {
  const box = el('span', `lab-confirm ${cls}-box`);
  const first = button(cls, label);
  const ask = el('span', 'lab-confirm-ask');
  ask.hidden = true;
  const q = el('span', 'lab-confirm-question', question);
  const ok = button(`${cls}-yes lab-confirm-yes`, yesLabel);
  const no = button('lab-confirm-no', T.cancel);
  const result = el('span', 'lab-confirm-result');
  result.setAttribute('role', 'status');
  ask.append(q, ok, no);
  box.append(first, ask, result);
  const close = (): void => {
    ask.hidden = true;
    first.hidden = false;
    first.focus();
  };
  return {
    element: box,
    trigger: first,
    yes: ok,
    bind(listeners) {
      listeners.on(first, 'click', () => {
        result.textContent = '';
        first.hidden = true;
        ask.hidden = false;
        ok.focus();
      });
      listeners.on(no, 'click', close);
      listeners.on(ask, 'keydown', (e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation(); // not reveal's overview
        close();
      });
      listeners.on(ok, 'click', async () => {
        ok.disabled = no.disabled = true;
        q.textContent = T.actionRunning;
        await run((text) => (result.textContent = text));
        ok.disabled = no.disabled = false;
        q.textContent = question;
        close();
      });
    },
  };
}
