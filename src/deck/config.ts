// Turns the `initialization` options of the course's front matter into a typed reveal.js
// configuration. gh-reveal stringified them (so `controls: false` was truthy); here every known
// option is checked against the type reveal.js 6 declares for it, strings such as "false" or
// "0.5" are converted when the option expects a boolean or a number, and anything else is dropped
// with a warning instead of silently changing reveal's behaviour.
import type { RevealConfig } from 'reveal.js';

type Kind =
  | { t: 'boolean' }
  | { t: 'number' }
  | { t: 'string' }
  | { t: 'enum'; values: readonly (string | boolean)[] }
  | { t: 'number|string' }
  | { t: 'number|false' }
  | { t: 'number|null' }
  | { t: 'boolean|object' };

const bool = { t: 'boolean' } as const;
const num = { t: 'number' } as const;
const str = { t: 'string' } as const;
const oneOf = (...values: (string | boolean)[]): Kind => ({ t: 'enum', values });
const transitions = ['none', 'fade', 'slide', 'convex', 'concave', 'zoom'];

/** The reveal.js 6 options a course may set from its front matter, with their types. */
export const REVEAL_OPTION_KINDS: Readonly<Record<string, Kind>> = {
  width: { t: 'number|string' },
  height: { t: 'number|string' },
  margin: num,
  minScale: num,
  maxScale: num,
  controls: oneOf(true, false, 'speaker', 'speaker-only'),
  controlsTutorial: bool,
  controlsLayout: oneOf('edges', 'bottom-right'),
  controlsBackArrows: oneOf('faded', 'hidden', 'visible'),
  progress: bool,
  slideNumber: oneOf(true, false, 'h.v', 'h/v', 'c', 'c/t'),
  showSlideNumber: oneOf('all', 'print', 'speaker'),
  hashOneBasedIndex: bool,
  hash: bool,
  respondToHashChanges: bool,
  jumpToSlide: bool,
  history: bool,
  keyboard: { t: 'boolean|object' },
  disableLayout: bool,
  overview: bool,
  center: bool,
  touch: bool,
  loop: bool,
  rtl: bool,
  navigationMode: oneOf('default', 'linear', 'grid'),
  shuffle: bool,
  fragments: bool,
  fragmentInURL: bool,
  embedded: bool,
  help: bool,
  pause: bool,
  showNotes: oneOf(true, false, 'separate-page'),
  showHiddenSlides: bool,
  autoPlayMedia: bool,
  preloadIframes: bool,
  autoAnimate: bool,
  autoAnimateEasing: str,
  autoAnimateDuration: num,
  autoAnimateUnmatched: bool,
  autoSlide: { t: 'number|false' },
  autoSlideStoppable: bool,
  // Missing from reveal 6's types but read by reveal and its notes plugin (pacing timer).
  defaultTiming: { t: 'number|null' },
  totalTime: num,
  mouseWheel: bool,
  previewLinks: bool,
  postMessage: bool,
  postMessageEvents: bool,
  focusBodyOnPageVisibilityChange: bool,
  transition: oneOf(...transitions),
  transitionSpeed: oneOf('default', 'fast', 'slow'),
  backgroundTransition: oneOf(...transitions),
  parallaxBackgroundImage: str,
  parallaxBackgroundSize: str,
  parallaxBackgroundRepeat: str,
  parallaxBackgroundPosition: str,
  parallaxBackgroundHorizontal: num,
  parallaxBackgroundVertical: num,
  view: oneOf('print', 'scroll'),
  scrollLayout: oneOf('full', 'compact'),
  scrollSnap: oneOf(false, 'proximity', 'mandatory'),
  scrollProgress: oneOf('auto', true, false),
  scrollActivationWidth: num,
  pdfMaxPagesPerSlide: num,
  pdfSeparateFragments: bool,
  pdfPageHeightOffset: num,
  viewDistance: num,
  mobileViewDistance: num,
  display: str,
  hideInactiveCursor: bool,
  hideCursorTime: num,
  sortFragmentsOnSync: bool,
};

function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function coerce(kind: Kind, v: unknown): { ok: true; value: unknown } | { ok: false } {
  switch (kind.t) {
    case 'boolean': {
      const b = asBoolean(v);
      return b === undefined ? { ok: false } : { ok: true, value: b };
    }
    case 'number': {
      const n = asNumber(v);
      return n === undefined ? { ok: false } : { ok: true, value: n };
    }
    case 'string':
      return typeof v === 'string' ? { ok: true, value: v } : { ok: false };
    case 'number|string': {
      const n = asNumber(v);
      if (n !== undefined) return { ok: true, value: n };
      return typeof v === 'string' ? { ok: true, value: v } : { ok: false };
    }
    case 'number|false': {
      if (asBoolean(v) === false) return { ok: true, value: false };
      const n = asNumber(v);
      return n === undefined ? { ok: false } : { ok: true, value: n };
    }
    case 'number|null': {
      if (v === null) return { ok: true, value: null };
      const n = asNumber(v);
      return n === undefined ? { ok: false } : { ok: true, value: n };
    }
    case 'boolean|object': {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return { ok: true, value: v };
      const b = asBoolean(v);
      return b === undefined ? { ok: false } : { ok: true, value: b };
    }
    case 'enum': {
      if (kind.values.includes(v as string | boolean)) return { ok: true, value: v };
      const b = asBoolean(v);
      if (b !== undefined && kind.values.includes(b)) return { ok: true, value: b };
      return { ok: false };
    }
  }
}

export interface ConfigIssue {
  key: string;
  value: unknown;
  reason: string;
}

/**
 * Gives the options reveal.js knows the type it expects (unknown options pass unchanged).
 * Returns the typed config and the list of what was dropped (the caller reports it).
 */
export function toRevealConfig(raw: Record<string, unknown> | undefined): {
  config: RevealConfig;
  issues: ConfigIssue[];
} {
  const config: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(raw ?? {})) {
    const kind = REVEAL_OPTION_KINDS[key];
    if (!kind) {
      // Unknown here but maybe known to a newer reveal.js (the renderer lets them through too).
      config[key] = value;
      continue;
    }
    const r = coerce(kind, value);
    if (r.ok) config[key] = r.value;
    else issues.push({ key, value, reason: `valeur invalide (attendu : ${describe(kind)})` });
  }
  return { config: config as RevealConfig, issues };
}

function describe(kind: Kind): string {
  switch (kind.t) {
    case 'enum':
      return kind.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'number|false':
      return 'nombre | false';
    case 'number|string':
      return 'nombre | chaîne';
    case 'number|null':
      return 'nombre | null';
    case 'boolean|object':
      return 'booléen | objet';
    default:
      return kind.t === 'boolean' ? 'booléen' : kind.t === 'number' ? 'nombre' : 'chaîne';
  }
}

/** French slide-number label for screen readers ("Diapositive 3 sur 40"). */
export function slideNumberLabel(current: number, total: number): string {
  return `Diapositive ${current} sur ${total}`;
}
