/**
 * Positions in authored files (slides, lab files, inventories) and the one error class that
 * reports them: every authoring error reads `file:line:column: what is wrong`, plus what to do.
 */

export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/**
 * A fatal authoring error. `message` starts with `file:line:column:` so that editors and
 * terminals can jump to it; `hint` says what to do.
 */
export class SourceError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly hint: string;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(pos: SourcePos, reason: string, hint = '') {
    super(`${pos.file}:${pos.line}:${pos.column}: ${reason}`);
    this.name = 'SourceError';
    this.file = pos.file;
    this.line = pos.line;
    this.column = pos.column;
    this.hint = hint;
    this.reason = reason;
  }
}

/** Maps offsets of one source text to 1-based line/column. */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  pos(offset: number): SourcePos {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}
