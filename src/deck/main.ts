// The reveal.js 6 application of the course.
//
// The slides are rendered at build time (src/render/) and injected into index.html by the Vite
// plugin (src/deck/vite-plugin.ts), with the deck's meta data as JSON in #deck-meta. This module
// only configures reveal.js, loads the theme chosen by the front matter (virtual module provided
// by the plugin), applies hot updates of the slides in dev, and lazily loads the lab UI.
import Reveal from 'reveal.js';
import type { RevealApi, RevealConfig } from 'reveal.js';
import Notes from 'reveal.js/plugin/notes';
import Search from 'reveal.js/plugin/search';
import Zoom from 'reveal.js/plugin/zoom';

import 'reveal.js/reveal.css';
import 'virtual:deck/theme.css';
import 'font-awesome/css/font-awesome.css';
import 'highlight.js/styles/a11y-dark.css';
import './deck.css';

import { slideNumberLabel, toRevealConfig } from './config';
import { installFrenchLabels } from './i18n';
import { installFollowHook } from './follow-hook';
import { installLabHook, isPrintView } from './lab-hook';
import { DECK_UPDATE_EVENT, type DeckUpdate } from './hot-update';

interface DeckMetaJson {
  title?: string;
  lang?: string;
  theme?: string;
  reveal?: Record<string, unknown>;
}

declare global {
  interface Window {
    Reveal?: RevealApi;
    /** Set once reveal is ready (and, when printing, once the PDF layout is done). */
    __deckReady?: boolean;
    /** Number of hot updates applied (dev only). */
    __deckUpdates?: number;
    /** Time the last hot update took in the page (DOM replacement + reveal sync), in ms. */
    __deckUpdateMs?: number;
  }
}

function readMeta(): DeckMetaJson {
  const el = document.getElementById('deck-meta');
  if (!el?.textContent?.trim()) return {};
  try {
    return JSON.parse(el.textContent) as DeckMetaJson;
  } catch (err) {
    console.warn('[deck] #deck-meta illisible', err);
    return {};
  }
}

const prefersReducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

function motionConfig(reduce: boolean, fromCourse: RevealConfig): RevealConfig {
  return reduce
    ? { transition: 'none', backgroundTransition: 'none', autoAnimate: false, controlsTutorial: false }
    : {
        transition: fromCourse.transition ?? 'slide',
        backgroundTransition: fromCourse.backgroundTransition ?? 'fade',
        autoAnimate: fromCourse.autoAnimate ?? true,
        controlsTutorial: fromCourse.controlsTutorial ?? true,
      };
}

function buildConfig(meta: DeckMetaJson): RevealConfig {
  const { config: fromCourse, issues } = toRevealConfig(meta.reveal);
  for (const i of issues) console.warn(`[deck] option reveal « ${i.key} » ignorée : ${i.reason}`, i.value);
  return {
    // Our defaults…
    controls: true,
    progress: true,
    center: true,
    slideNumber: 'c/t',
    showSlideNumber: 'all',
    overview: true,
    help: true,
    // … then the course's own options …
    ...fromCourse,
    // … then what the course cannot turn off: deep links `#/id`, reduced motion, PDF layout.
    hash: true,
    history: true,
    ...motionConfig(prefersReducedMotion.matches, fromCourse),
    pdfMaxPagesPerSlide: 1,
    pdfSeparateFragments: false,
    plugins: [Notes, Search, Zoom],
  };
}

const meta = readMeta();
const config = buildConfig(meta);

const root = document.querySelector<HTMLElement>('.reveal');
if (!root) throw new Error('index.html : <div class="reveal"> manquant');
// An instance rather than the `Reveal` singleton: its whole API exists before initialize()
// (the singleton only queues on/configure until then).
const deck: RevealApi = new Reveal(root, config);

installFrenchLabels(deck);
const labs = installLabHook(deck);
installFollowHook(deck);

function labelSlideNumber(): void {
  const el = document.querySelector('.reveal .slide-number');
  if (!el) return;
  const current = deck.getSlidePastCount() + 1;
  el.setAttribute('aria-label', slideNumberLabel(current, deck.getTotalSlides()));
}

deck.on('ready', () => {
  labelSlideNumber();
  if (!isPrintView(deck)) window.__deckReady = true;
});
deck.on('slidechanged', labelSlideNumber);
deck.on('pdf-ready', () => {
  window.__deckReady = true;
});

prefersReducedMotion.addEventListener('change', (e) => {
  deck.configure(motionConfig(e.matches, config));
});

window.Reveal = deck;
// initialize() throws when called twice: guard against a second evaluation of this module
// (main.ts accepts no hot update, so this is belt and braces).
if (!document.documentElement.dataset.deckInit) {
  document.documentElement.dataset.deckInit = '1';
  void deck.initialize();
}

const childSections = (parent: Element): Element[] => [...parent.children].filter((c) => c.tagName === 'SECTION');

function fragment(html: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

/** Replaces the slides with freshly rendered HTML and stays on the same slide and fragment. */
export function applyDeckUpdate(update: DeckUpdate): void {
  const t0 = performance.now();
  const slidesEl = deck.getSlidesElement();
  if (!slidesEl) return;
  const current = deck.getCurrentSlide();
  const id = current?.id;
  const { h, v, f } = deck.getIndices();
  const sections = childSections(slidesEl);
  if (update.total === sections.length) {
    // Only what changed is replaced (an edited slide, or a whole chapter): the rest of the DOM stays.
    for (const change of update.changed) {
      const section = sections[change.index]!;
      if ('html' in change) section.replaceWith(fragment(change.html));
      else {
        const verticals = childSections(section);
        for (const { v, html } of change.slides) {
          const slide = verticals[v];
          if (!slide) return location.reload();
          slide.replaceWith(fragment(html));
        }
      }
    }
  } else if (update.html !== undefined) {
    slidesEl.innerHTML = update.html;
  } else {
    return location.reload();
  }
  if (update.title) document.title = update.title;
  deck.sync();
  // Prefer the slide's id (it survives slides added before it), else the same indices.
  const target = id ? document.getElementById(id) : null;
  if (target && slidesEl.contains(target) && target.tagName === 'SECTION') {
    const idx = deck.getIndices(target);
    deck.slide(idx.h, idx.v, f);
  } else {
    deck.slide(h, v, f);
  }
  labs.unmountMissing();
  window.__deckUpdateMs = performance.now() - t0;
  window.__deckUpdates = (window.__deckUpdates ?? 0) + 1;
}

if (import.meta.hot) {
  import.meta.hot.on(DECK_UPDATE_EVENT, (data: DeckUpdate) => applyDeckUpdate(data));
  // No accept(): reveal cannot be initialised twice, so a change to this module (or one it
  // imports) has no HMR boundary and Vite reloads the page.
}
