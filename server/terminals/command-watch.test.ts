// "A command returned": OSC 133 marks in any chunking, and the Enter-then-quiet heuristic on fake timers.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { realClock } from './clock';
import { CommandWatcher, Osc133Scanner, type CommandDone } from './command-watch';

const b = (s: string) => Buffer.from(s, 'latin1');
const D = (code: number) => `\x1b]133;D;${code}\x07`;
const A = '\x1b]133;A\x1b\\';

describe('Osc133Scanner', () => {
  it('finds marks ended by BEL or ST, with the exit status of D', () => {
    const s = new Osc133Scanner();
    expect(s.feed(b(`out\r\n${D(0)}${A}PROMPT$ `))).toEqual([{ kind: 'D', exitCode: 0 }, { kind: 'A', exitCode: null }]);
    expect(s.feed(b('\x1b]133;D\x07\x1b]133;C\x07\x1b]133;D;127;aid=3\x07'))).toEqual([
      { kind: 'D', exitCode: null }, { kind: 'C', exitCode: null }, { kind: 'D', exitCode: 127 },
    ]);
  });

  it('ignores other OSC sequences, unknown kinds and overlong or broken bodies', () => {
    const s = new Osc133Scanner();
    expect(s.feed(b('\x1b]0;title\x07\x1b]133;Z\x07\x1b]1337;x\x07'))).toEqual([]);
    expect(s.feed(b(`\x1b]133;${'D'.repeat(100)}\x07`))).toEqual([]);
    expect(s.feed(b('\x1b]133;D\x1b[0m'))).toEqual([]);
    expect(s.feed(b('\x1b]133;D\nstill not\x07'))).toEqual([]);
    // and it is not confused afterwards
    expect(s.feed(b(D(2)))).toEqual([{ kind: 'D', exitCode: 2 }]);
  });

  it('finds the same marks however the stream is cut into chunks', () => {
    const stream = b(`ls\r\nfile\r\n${D(0)}${A}$ \x1b]0;t\x07yes\r\n${D(130)}${A}$ `);
    const whole = new Osc133Scanner().feed(stream);
    expect(whole).toHaveLength(4);
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
      const s = new Osc133Scanner();
      const points = [0, ...cuts.sort((x, y) => x - y), stream.length];
      const marks = points.slice(1).flatMap((end, i) => s.feed(stream.subarray(points[i], end)));
      expect(marks).toEqual(whole);
    }));
  });
});

describe('CommandWatcher', () => {
  let done: CommandDone[];
  let w: CommandWatcher;
  beforeEach(() => {
    vi.useFakeTimers();
    done = [];
    w = new CommandWatcher({ clock: realClock, quietMs: 400, onDone: (d) => done.push(d) });
  });
  afterEach(() => { w.dispose(); vi.useRealTimers(); });

  it('without shell integration: Enter, then output quiet for quietMs', () => {
    w.output(b('PROMPT$ '));
    vi.advanceTimersByTime(5000);
    expect(done).toEqual([]); // no Enter, no command
    w.input(b('ls'));
    vi.advanceTimersByTime(5000);
    expect(done).toEqual([]);
    w.input(b('\r'));
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(300);
      w.output(b('line\r\n')); // still busy
    }
    expect(done).toEqual([]);
    vi.advanceTimersByTime(399);
    expect(done).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(done).toEqual([{ via: 'quiet', exitCode: null }]);
    vi.advanceTimersByTime(10_000);
    expect(done).toHaveLength(1); // once per Enter
  });

  it('with OSC 133 marks: reports the exit status, once, and stops guessing', () => {
    w.output(b(`${D(0)}${A}$ `)); // the first prompt is not a command
    expect(done).toEqual([]);
    w.input(b('false\r'));
    vi.advanceTimersByTime(10_000); // a long quiet command: no guess
    expect(done).toEqual([]);
    w.output(b(`\r\n${D(1)}`));
    w.output(b(`${A}$ `));
    expect(done).toEqual([{ via: 'osc133', exitCode: 1 }]);
  });

  it('a prompt mark alone (A) ends a command too', () => {
    w.output(b(A));
    w.input(b('\r'));
    w.output(b(`\r\n${A}`));
    expect(done).toEqual([{ via: 'osc133', exitCode: null }]);
  });

  it('a new shell starts afresh (integration detected again)', () => {
    w.output(b(A));
    w.reset();
    w.input(b('\r'));
    vi.advanceTimersByTime(400);
    expect(done).toEqual([{ via: 'quiet', exitCode: null }]);
  });
});
