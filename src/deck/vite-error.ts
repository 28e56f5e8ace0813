// Render errors as Vite reports them (message with file:line:column and hint, `loc` for the
// overlay's link, the source lines around the error as `frame`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RenderError } from '../render/index.js';

export interface ViteLikeError extends Error {
  id?: string;
  loc?: { file?: string; line: number; column: number };
  frame?: string;
  plugin?: string;
}

/** A code frame in Vite's format (`> 12 | text` and a caret line), for the error overlay. */
export function codeFrame(source: string, line: number, column: number, context = 2): string {
  const lines = source.split(/\r?\n/);
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}

/**
 * A RenderError as Vite reports it: message "file:line:column: reason" + "Conseil : hint", the
 * position in `loc` (the overlay links it), and the source lines around it as `frame`.
 */
export function toViteError(err: unknown): ViteLikeError {
  if (err instanceof RenderError) {
    // The renderer names files relative to the working directory.
    const file = path.resolve(err.file);
    const e = new Error(err.hint ? `${err.message}\nConseil : ${err.hint}` : err.message) as ViteLikeError;
    e.name = 'RenderError';
    e.id = file;
    e.loc = { file, line: err.line, column: err.column };
    try {
      e.frame = codeFrame(readFileSync(file, 'utf8'), err.line, err.column);
    } catch {
      e.frame = '';
    }
    e.plugin = 'deck';
    e.stack = `${err.message}\n    at ${file}:${err.line}:${err.column}`;
    return e;
  }
  return err instanceof Error ? (err as ViteLikeError) : new Error(String(err));
}
