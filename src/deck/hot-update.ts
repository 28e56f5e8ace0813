// What the deck's dev server sends the page after an edit (custom HMR event `deck:update`), and
// how it is computed: only what differs from the previous render, down to the vertical slide,
// so that an edit of one slide sends and replaces that slide alone. Pure; the page applies it
// in src/deck/main.ts.
import type { RenderResult } from '../render/index.js';

export const DECK_UPDATE_EVENT = 'deck:update';

/** One top-level section that changed: replaced whole, or only some of its vertical slides. */
export type SectionChange = { index: number; html: string } | { index: number; slides: { v: number; html: string }[] };

export interface DeckUpdate {
  title: string;
  /** Number of top-level sections the page must have for `changed` to apply. */
  total: number;
  changed: SectionChange[];
  /** Every slide, only when the number of top-level sections changed. */
  html?: string;
}

export function deckUpdate(before: RenderResult | undefined, after: RenderResult): DeckUpdate {
  const prev = before?.sections ?? [];
  const changed = after.sections.flatMap((html, index): SectionChange[] => {
    if (prev[index] === html) return [];
    const was = before?.slideHtml[index] ?? [];
    const now = after.slideHtml[index] ?? [];
    if (prev.length !== after.sections.length || was.length === 0 || was.length !== now.length) return [{ index, html }];
    return [{ index, slides: now.flatMap((slide, v) => (was[v] === slide ? [] : [{ v, html: slide }])) }];
  });
  const update: DeckUpdate = { title: after.meta.title, total: after.sections.length, changed };
  if (prev.length !== after.sections.length) update.html = after.html;
  return update;
}
