// French labels for the parts of reveal.js 6 that show or announce text.
//
// reveal.js has no localisation option: its controls, help overlay, jump-to-slide box and the
// search plugin's box are built with English strings. We relabel them in place after reveal
// creates them (controls at `ready`, help on `showhelp`, the others when they are attached).
// The speaker view (its own window, written by the notes plugin from a template) is translated
// at build time: see src/render/speaker-view.ts.
import type { RevealApi } from 'reveal.js';

export const CONTROL_LABELS: Record<string, string> = {
  'navigate-left': 'Diapositive précédente',
  'navigate-right': 'Diapositive suivante',
  'navigate-up': 'Diapositive au-dessus',
  'navigate-down': 'Diapositive en dessous',
};

/** reveal.js help overlay: English description → French. */
export const HELP_LABELS: Record<string, string> = {
  'Next slide': 'Diapositive suivante',
  'Previous slide': 'Diapositive précédente',
  'Navigate left': 'Aller à gauche',
  'Navigate right': 'Aller à droite',
  'Navigate up': 'Aller en haut',
  'Navigate down': 'Aller en bas',
  'Navigate without fragments': 'Naviguer sans les fragments',
  'Jump to first/last slide': 'Aller à la première / dernière diapositive',
  Pause: 'Pause (écran noir)',
  Fullscreen: 'Plein écran',
  'Jump to slide': 'Aller à la diapositive…',
  'Slide overview': 'Vue d’ensemble',
  'Speaker notes view': 'Vue présentateur (notes)',
  'Toggle zoom': 'Zoom',
  'Search': 'Rechercher',
  'Search slides': 'Rechercher dans les diapositives',
  'Zoom in/out': 'Zoom avant / arrière',
  'Auto-slide': 'Défilement automatique',
};

function relabelControls(root: HTMLElement): void {
  for (const [cls, label] of Object.entries(CONTROL_LABELS)) {
    // reveal swaps left/right in RTL decks; our decks are LTR.
    root.querySelectorAll<HTMLElement>(`.controls .${cls}`).forEach((b) => b.setAttribute('aria-label', label));
  }
  // The progress bar is decorative (the slide number says where you are): an aria-label on a
  // div without a role is refused by assistive technologies (axe: aria-prohibited-attr).
  root.querySelector('.progress')?.setAttribute('aria-hidden', 'true');
}

function relabelHelp(root: ParentNode): void {
  const overlay = root.querySelector('.r-overlay-help');
  if (!overlay) return;
  const title = overlay.querySelector('.title');
  if (title) title.textContent = 'Raccourcis clavier';
  const ths = overlay.querySelectorAll('th');
  if (ths[0]) ths[0].textContent = 'TOUCHE';
  if (ths[1]) ths[1].textContent = 'ACTION';
  overlay.querySelectorAll('td:nth-child(2)').forEach((td) => {
    const fr = HELP_LABELS[td.textContent?.trim() ?? ''];
    if (fr) td.textContent = fr;
  });
  overlay.querySelector('.r-overlay-close')?.setAttribute('aria-label', 'Fermer');
}

function relabelInputs(root: ParentNode): void {
  const jump = root.querySelector<HTMLInputElement>('.jump-to-slide-input');
  if (jump) {
    jump.placeholder = 'Aller à la diapositive (numéro ou id)';
    jump.setAttribute('aria-label', 'Aller à la diapositive');
  }
  const search = root.querySelector<HTMLInputElement>('#searchinput');
  if (search) {
    search.placeholder = 'Rechercher…';
    search.setAttribute('aria-label', 'Rechercher dans les diapositives');
  }
}

/** Installs the French labels; call once, before or after `ready`. */
export function installFrenchLabels(reveal: RevealApi): void {
  const root = reveal.getRevealElement() as HTMLElement;
  const apply = (): void => {
    relabelControls(root);
    relabelInputs(document);
  };
  reveal.on('ready', apply);
  reveal.on('showhelp', () => relabelHelp(document));
  // The jump-to-slide box and the search box are (re)attached on demand.
  new MutationObserver(() => relabelInputs(document)).observe(root, { childList: true });
  if (reveal.isReady()) apply();
}
