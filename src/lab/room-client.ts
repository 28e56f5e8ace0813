// The learner's side of the room (src/shared/room-protocol.ts), installed once per page by the
// first live lab slide: hints from the instructor shown as a dismissible notice in the lab
// slide on screen (or at the top of the page when none is), and the slide on screen announced
// to the cockpit (at each change, and again at every reconnection of the live channel).
import type { RevealApi } from 'reveal.js';
import { button, el } from '../shared/dom';
import { LAB_SELECTOR } from '../shared/lab-contract';
import { hintTopic, presenceTopic } from '../shared/room-protocol';
import { liveChannel } from './live-channel';
import { T } from './text';

let installed = false;

/** The slide on screen as the cockpit shows it: its id, else « h.v » counted from 1. */
export function slideName(reveal: RevealApi): string {
  const id = reveal.getCurrentSlide()?.id;
  if (id) return id.slice(0, 80);
  const { h, v } = reveal.getIndices();
  return `${h + 1}.${(v ?? 0) + 1}`;
}

export function installRoomClient(reveal: RevealApi): void {
  if (installed) return;
  installed = true;
  const live = liveChannel();
  live.subscribe(hintTopic, (hint) => showHint(reveal, hint.text));
  const announce = () => void live.send(presenceTopic, { slide: slideName(reveal) });
  live.onOpen(announce);
  reveal.on('slidechanged', announce);
}

/** One notice at a time: a new hint replaces the previous one. */
function showHint(reveal: RevealApi, text: string): void {
  document.querySelector('.lab-hint-notice')?.remove();
  const notice = el('div', 'lab-hint-notice');
  notice.setAttribute('role', 'alert');
  const title = el('strong', '', T.instructorHint);
  const body = el('p', 'lab-hint-text', text);
  const close = button('lab-hint-close', T.dismiss, T.dismissHint);
  close.addEventListener('click', () => notice.remove());
  notice.addEventListener('keydown', (e) => e.stopPropagation());
  notice.append(title, body, close);
  const slide = reveal.getCurrentSlide();
  const lab = slide?.querySelector<HTMLElement>(LAB_SELECTOR.root);
  if (lab) lab.prepend(notice);
  else {
    notice.classList.add('lab-hint-floating');
    document.body.append(notice);
  }
}
