// Follow mode's live topic (src/shared/live-protocol.ts): the instructor's deck publishes where
// it is (slide and fragment) and whether the room follows; the server keeps the last position
// and sends it to every page, at once to a page that connects. Pure: no Node or DOM import.
import * as z from 'zod/mini';
import { topic } from './live-protocol';

const index = z.int().check(z.minimum(-1), z.maximum(10_000));

/** A position in the deck: horizontal and vertical slide, fragment (-1: none shown). */
export const deckPosition = z.object({ h: index, v: index, f: index });
export type DeckPosition = z.infer<typeof deckPosition>;

/** What the server sends: the presenter's last position (null before the first) and whether the room follows. */
export const presenterState = z.object({
  position: z.nullable(deckPosition),
  enabled: z.boolean(),
  /** Learners' pages open now (sent to instructors only). */
  learnerPages: z.optional(z.int().check(z.minimum(0))),
});
export type PresenterState = z.infer<typeof presenterState>;

/** What the instructor's deck sends: its new position, or follow mode turned on or off. */
export const presenterUpdate = z.union([
  z.object({ position: deckPosition }),
  z.object({ enabled: z.boolean() }),
]);
export type PresenterUpdate = z.infer<typeof presenterUpdate>;

export const PRESENTER_TOPIC = topic('presenter', presenterState, presenterUpdate);

export function samePosition(a: DeckPosition | null, b: DeckPosition | null): boolean {
  return a !== null && b !== null && a.h === b.h && a.v === b.v && a.f === b.f;
}
