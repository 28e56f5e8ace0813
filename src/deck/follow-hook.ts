// Loads follow mode (src/deck/follow.ts) lazily once reveal is ready, in the main deck window
// only: the speaker view's own window and its preview iframes (`?receiver`) and the print view
// must neither publish the presenter's position nor follow it.
import type { RevealApi } from 'reveal.js';
import { isPassiveView } from './lab-hook';

export function installFollowHook(reveal: RevealApi): void {
  const start = () => {
    if (isPassiveView(reveal)) return;
    import('./follow')
      .then((m) => m.installFollow(reveal))
      .catch((err: unknown) => console.error('[deck] mode suivi indisponible', err));
  };
  if (reveal.isReady()) start();
  else reveal.on('ready', start);
}
