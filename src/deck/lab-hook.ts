// Lazy loading of the lab UI (src/lab/, terminals + check panel).
//
// Contract with src/lab/index.ts:
//   export function mountLabSlide(section: HTMLElement, reveal: RevealApi): void | (() => void)
// It is called once per `<section data-lab>` element, the first time that slide is shown
// (`ready` or `slidechanged`); the lab module follows later visibility itself through reveal's
// events. If it returns a function, that function is called when the slide's element goes away
// (hot update of the slides in dev). Nothing is loaded for decks without lab slides, nor in the
// speaker view (`?receiver`: the notes plugin loads the deck twice more in iframes, which would
// start every terminal three times), nor when printing to PDF: a printed lab slide is laid out
// by src/lab/print.ts instead (every exercise in full, over several pages).
//
// `import.meta.glob` keeps the build working while src/lab/index.ts does not exist yet: the map
// is simply empty, and Vite picks the file up once it is added.
import type { RevealApi } from 'reveal.js';
import { layoutLabsForPrint } from '../lab/print';

export interface LabModule {
  mountLabSlide(section: HTMLElement, reveal: RevealApi): void | (() => void) | Promise<void | (() => void)>;
}

const loaders = import.meta.glob<LabModule>('../lab/index.ts');

export function labUiAvailable(): boolean {
  return Object.keys(loaders).length > 0;
}

/**
 * Print view (`?print-pdf`). reveal.js 6 renamed `isPrintingPDF()` to `isPrintView()` at runtime
 * but its bundled types still declare only the old name: try both, then the URL.
 */
export function isPrintView(reveal: RevealApi): boolean {
  const api = reveal as RevealApi & { isPrintView?: () => boolean };
  if (typeof api.isPrintView === 'function') return api.isPrintView();
  if (typeof (api as Partial<RevealApi>).isPrintingPDF === 'function') return api.isPrintingPDF();
  return /print-pdf/i.test(location.search);
}

/** True in the contexts where a lab must not start (speaker view, its iframes, PDF printing). */
export function isPassiveView(reveal: RevealApi): boolean {
  return reveal.isSpeakerNotes() || isPrintView(reveal) || /(?:^|[?&])receiver\b/i.test(location.search);
}

export function installLabHook(reveal: RevealApi): { unmountMissing(): void } {
  const mounted = new Map<HTMLElement, (() => void) | undefined>();
  let modulePromise: Promise<LabModule> | undefined;

  async function onShow(slide: HTMLElement | null | undefined): Promise<void> {
    if (!slide || !slide.hasAttribute('data-lab') || mounted.has(slide) || isPassiveView(reveal)) return;
    const load = Object.values(loaders)[0];
    if (!load) {
      console.warn(`[deck] diapositive de TP « ${slide.dataset.lab} » : l’interface des TP (src/lab) n’est pas disponible.`);
      mounted.set(slide, undefined);
      return;
    }
    mounted.set(slide, undefined);
    modulePromise ??= load();
    const mod = await modulePromise;
    const cleanup = await mod.mountLabSlide(slide, reveal);
    mounted.set(slide, typeof cleanup === 'function' ? cleanup : undefined);
  }

  const handler = (e: Event): void => {
    const slide = (e as Event & { currentSlide?: HTMLElement }).currentSlide ?? reveal.getCurrentSlide();
    onShow(slide).catch((err: unknown) => console.error('[deck] échec du chargement du TP', err));
  };
  // Printing: lab slides in full over as many pages as they need. Registered before the deck's
  // own `pdf-ready` listener (main.ts), which says the PDF layout is done.
  reveal.on('pdf-ready', () => {
    const slides = reveal.getSlidesElement();
    if (slides) layoutLabsForPrint(slides);
  });
  reveal.on('ready', handler);
  reveal.on('slidechanged', handler);
  if (reveal.isReady()) onShow(reveal.getCurrentSlide()).catch((err: unknown) => console.error(err));

  return {
    /** After the slides DOM was replaced: clean up labs whose section left the document. */
    unmountMissing(): void {
      for (const [section, cleanup] of mounted) {
        if (!section.isConnected) {
          mounted.delete(section);
          try {
            cleanup?.();
          } catch (err) {
            console.error(err);
          }
        }
      }
      onShow(reveal.getCurrentSlide()).catch((err: unknown) => console.error(err));
    },
  };
}
