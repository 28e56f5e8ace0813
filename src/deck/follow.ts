// Follow mode in the deck (lazily loaded by src/deck/follow-hook.ts once reveal is ready, never
// in the speaker view, its preview iframes or the print view). Only with the lab server that
// serves the page: the static site and a learner's own remote server have no room.
//   - The instructor's deck publishes its position (slide, fragment) on the presenter topic at
//     every move and at every (re)connection, and shows a control that turns follow mode off or
//     on for the room once learners' pages are open.
//   - A learner's deck follows (src/deck/follow-state.ts decides), with « Je suis libre »
//     (aria-pressed) to leave, « Suivre le formateur » to come back, and a discreet notice when
//     their own navigation detached them.
import type { RevealApi } from 'reveal.js';
import { button, el } from '../shared/dom';
import { PRESENTER_TOPIC, samePosition, type DeckPosition, type PresenterState } from '../shared/presenter-topic';
import { probeServer } from '../lab/api';
import { liveChannel, type LiveChannel } from '../lab/live-channel';
import { rememberedServer } from '../lab/remote';
import { INITIAL_FOLLOW, onDeckMoved, onPresenter, onRejoin, onToggle, type FollowState, type FollowStep } from './follow-state';
import './follow.css';

export const FOLLOW_TEXT = {
  free: 'Je suis libre',
  freeTitle: 'Naviguer seul, sans suivre le formateur',
  rejoin: 'Suivre le formateur',
  detached: 'Vous naviguez librement —',
  roomOn: 'Les apprenants me suivent',
  roomTitle: (pages: number) => `Mode suivi pour la salle (${pages} page${pages > 1 ? 's' : ''} d’apprenant ouverte${pages > 1 ? 's' : ''})`,
};

declare global {
  interface Window {
    /** Follow mode of this page (tests and the console). */
    __follow?: { role: 'instructor' | 'learner'; state(): FollowState | PresenterState };
  }
}

const MOVES = ['slidechanged', 'fragmentshown', 'fragmenthidden'] as const;

export function positionOf(reveal: RevealApi): DeckPosition {
  const { h, v, f } = reveal.getIndices();
  return { h, v: v ?? 0, f: f ?? -1 };
}

/** Space and Enter on the bar's buttons stay theirs (reveal listens on the document). */
function keepKeys(bar: HTMLElement): void {
  bar.addEventListener('keydown', (e) => {
    if (e.key === ' ' || e.key === 'Enter') e.stopPropagation();
  });
}

function mountBar(reveal: RevealApi, cls: string): HTMLElement {
  const bar = el('div', `follow-bar ${cls}`);
  keepKeys(bar);
  reveal.getRevealElement()?.append(bar);
  return bar;
}

/** The presenter: publishes every move, and turns follow mode on or off for the room. */
function presenterDeck(reveal: RevealApi, channel: LiveChannel): void {
  let state: PresenterState = { position: null, enabled: true, learnerPages: 0 };
  const publish = () => void channel.send(PRESENTER_TOPIC, { position: positionOf(reveal) });
  for (const event of MOVES) reveal.on(event, publish);
  channel.onOpen(publish);

  const bar = mountBar(reveal, 'follow-bar-presenter');
  const toggle = button('follow-room', FOLLOW_TEXT.roomOn);
  bar.append(toggle);
  const render = () => {
    bar.hidden = !state.learnerPages;
    toggle.setAttribute('aria-pressed', String(state.enabled));
    toggle.title = FOLLOW_TEXT.roomTitle(state.learnerPages ?? 0);
  };
  toggle.addEventListener('click', () => void channel.send(PRESENTER_TOPIC, { enabled: !state.enabled }));
  channel.subscribe(PRESENTER_TOPIC, (msg) => {
    state = msg;
    render();
  });
  render();
  window.__follow = { role: 'instructor', state: () => state };
}

/** A learner: follows the presenter unless free or detached by their own navigation. */
function learnerDeck(reveal: RevealApi, channel: LiveChannel): void {
  let state = INITIAL_FOLLOW;
  /** True while this module moves the deck: those moves are not the learner's. */
  let applying = false;

  const bar = mountBar(reveal, 'follow-bar-learner');
  const toggle = button('follow-free', FOLLOW_TEXT.free);
  toggle.title = FOLLOW_TEXT.freeTitle;
  const notice = el('span', 'follow-notice');
  notice.setAttribute('role', 'status');
  const rejoin = button('follow-rejoin', FOLLOW_TEXT.rejoin);
  bar.append(toggle, notice, rejoin);

  const render = () => {
    bar.hidden = !state.enabled;
    toggle.setAttribute('aria-pressed', String(state.mode !== 'following'));
    notice.textContent = state.mode === 'detached' ? FOLLOW_TEXT.detached : '';
    rejoin.hidden = state.mode === 'following';
    bar.dataset.mode = state.mode;
  };
  const apply = (step: FollowStep) => {
    state = step.state;
    if (step.goto && !samePosition(step.goto, positionOf(reveal))) {
      applying = true;
      try {
        reveal.slide(step.goto.h, step.goto.v, step.goto.f);
      } finally {
        applying = false;
      }
    }
    render();
  };

  for (const event of MOVES) {
    reveal.on(event, () => {
      if (!applying) apply(onDeckMoved(state, positionOf(reveal)));
    });
  }
  toggle.addEventListener('click', () => apply(onToggle(state)));
  rejoin.addEventListener('click', () => {
    apply(onRejoin(state));
    toggle.focus({ preventScroll: true });
  });
  channel.subscribe(PRESENTER_TOPIC, (msg) => apply(onPresenter(state, msg)));
  render();
  window.__follow = { role: 'learner', state: () => state };
}

export async function installFollow(reveal: RevealApi): Promise<void> {
  const probe = await probeServer(rememberedServer());
  // Only a room on the server that serves this page (never the static site, nor a learner's own server).
  if (probe.kind === 'no-server' || probe.server !== null) return;
  const channel = liveChannel();
  if (probe.session.learner.role === 'instructor') presenterDeck(reveal, channel);
  else learnerDeck(reveal, channel);
}
