/** Errors and source positions of the slide renderer (shared with the lab files: src/shared/source.ts). */
import { SourceError } from '../shared/source.js';

export { LineMap, type SourcePos } from '../shared/source.js';

/** The renderer's name for the shared authoring error (same class: `instanceof` works for both). */
export const RenderError = SourceError;
export type RenderError = SourceError;

/** A non-fatal problem (the deck still renders). */
export interface RenderWarning {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatWarning(w: RenderWarning): string {
  return `${w.file}:${w.line}:${w.column}: ${w.message}`;
}
