// "A command returned in this terminal", for re-running checks while the learner works.
//
// Two sources, the better one wins:
// - shell integration: an OSC 133 mark in the output (FinalTerm / VS Code / iTerm2 convention).
//   `ESC ] 133 ; D [; exit] BEL` says a command finished, `ESC ] 133 ; A BEL` that a prompt starts.
//   Bash prints them when its PROMPT_COMMAND does (OSC133_PROMPT_COMMAND below, for drivers to
//   pass to the node's shell). xterm.js ignores these sequences.
// - otherwise a heuristic: Enter was pressed, then the output stayed quiet for `quietMs`.
// Either way a command counts once, and only after Enter (the first prompt is not a command).
import type { Clock, TimerHandle } from './clock';

/** A bash PROMPT_COMMAND that prints `D;<status of the last command>` then `A` at each prompt. */
export const OSC133_PROMPT_COMMAND = 'printf "\\033]133;D;%s\\007\\033]133;A\\007" "$?"';

export interface CommandDone {
  via: 'osc133' | 'quiet';
  /** The exit status when the shell reported it (OSC 133 D), else null. */
  exitCode: number | null;
}

export interface PromptMark {
  kind: 'A' | 'B' | 'C' | 'D';
  exitCode: number | null;
}

const PREFIX = Buffer.from('\x1b]133;', 'latin1');
/** Longest mark body we accept (`D;255;aid=…` and friends); longer is not a mark. */
const MAX_BODY = 64;
const BEL = 0x07;
const ESC = 0x1b;
const BACKSLASH = 0x5c;

/** Finds OSC 133 marks in a byte stream, including marks split across chunks. */
export class Osc133Scanner {
  private carry: Buffer | null = null;

  feed(chunk: Buffer): PromptMark[] {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    const marks: PromptMark[] = [];
    let from = 0;
    for (;;) {
      const at = buf.indexOf(PREFIX, from);
      if (at < 0) {
        this.keepPrefixTail(buf, from);
        return marks;
      }
      const body = at + PREFIX.length;
      const end = terminator(buf, body);
      if (end === 'incomplete') {
        this.carry = Buffer.from(buf.subarray(at));
        return marks;
      }
      if (end === null) {
        from = body;
        continue;
      }
      const mark = parseMark(buf.toString('latin1', body, end.at));
      if (mark) marks.push(mark);
      from = end.at + end.length;
    }
  }

  /** Keeps a chunk's tail that may be the beginning of PREFIX. */
  private keepPrefixTail(buf: Buffer, from: number): void {
    for (let i = Math.max(from, buf.length - PREFIX.length + 1); i < buf.length; i++) {
      if (buf[i] === ESC && PREFIX.subarray(0, buf.length - i).equals(buf.subarray(i))) {
        this.carry = Buffer.from(buf.subarray(i));
        return;
      }
    }
  }
}

/** Where the mark body starting at `from` ends: BEL or ST (ESC \). Null: not a mark. */
function terminator(buf: Buffer, from: number): { at: number; length: number } | null | 'incomplete' {
  const limit = Math.min(buf.length, from + MAX_BODY + 1);
  for (let p = from; p < limit; p++) {
    const b = buf[p];
    if (b === BEL) return { at: p, length: 1 };
    if (b === ESC) {
      if (p + 1 >= buf.length) return 'incomplete';
      return buf[p + 1] === BACKSLASH ? { at: p, length: 2 } : null;
    }
    if (b !== undefined && (b < 0x20 || b > 0x7e)) return null;
  }
  return limit === buf.length && buf.length - from <= MAX_BODY ? 'incomplete' : null;
}

function parseMark(body: string): PromptMark | null {
  const [kind, arg] = body.split(';');
  if (kind !== 'A' && kind !== 'B' && kind !== 'C' && kind !== 'D') return null;
  const code = kind === 'D' && arg !== undefined && /^\d{1,3}$/.test(arg) ? Number(arg) : null;
  return { kind, exitCode: code };
}

export interface CommandWatcherOptions {
  clock: Clock;
  /** Output silence after Enter that counts as "the command returned" without shell integration. */
  quietMs: number;
  onDone(done: CommandDone): void;
}

/** Watches one terminal's input and output; calls `onDone` when a command returned. */
export class CommandWatcher {
  private readonly scanner = new Osc133Scanner();
  /** Enter was pressed and the command has not been reported yet. */
  private armed = false;
  /** This shell prints OSC 133 marks: the heuristic is off. */
  private integrated = false;
  private lastOutput = 0;
  private timer: TimerHandle | null = null;

  constructor(private readonly opts: CommandWatcherOptions) {}

  /** Bytes the learner sent to the shell. */
  input(data: Uint8Array): void {
    if (!data.includes(13) && !data.includes(10)) return;
    this.armed = true;
    if (!this.integrated) {
      this.lastOutput = this.opts.clock.now();
      this.arm(this.opts.quietMs);
    }
  }

  /** Bytes the shell wrote. */
  output(data: Buffer): void {
    for (const mark of this.scanner.feed(data)) {
      this.integrated = true;
      this.cancel();
      if (!this.armed) continue;
      if (mark.kind === 'D' || mark.kind === 'A') this.fire({ via: 'osc133', exitCode: mark.exitCode });
    }
    if (this.armed && !this.integrated) this.lastOutput = this.opts.clock.now();
  }

  /** A new shell starts: forget what the old one did. */
  reset(): void {
    this.cancel();
    this.armed = false;
    this.integrated = false;
  }

  dispose(): void {
    this.cancel();
    this.armed = false;
  }

  /** One timer per quiet period, re-armed for the remainder when output came meanwhile (no timer churn in a flood). */
  private arm(ms: number): void {
    if (this.timer) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      if (!this.armed || this.integrated) return;
      const quiet = this.opts.clock.now() - this.lastOutput;
      if (quiet >= this.opts.quietMs) this.fire({ via: 'quiet', exitCode: null });
      else this.arm(this.opts.quietMs - quiet);
    }, ms);
  }

  private cancel(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(done: CommandDone): void {
    this.armed = false;
    this.cancel();
    this.opts.onDone(done);
  }
}
