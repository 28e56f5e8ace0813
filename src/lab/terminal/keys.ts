// The terminal's own keys, decided from a keydown alone (no DOM): Ctrl+Shift+C copies the
// selection, Ctrl+Shift+V lets the browser paste, and Escape followed within 800 ms by an arrow
// or a Page key leaves the terminal for the slides (that very key then moves the deck).

/** `type`: xterm.js handles the key; the others are the panel's. */
export type KeyAction = 'type' | 'copy' | 'paste' | 'leave';

export type KeyLike = Pick<KeyboardEvent, 'type' | 'key' | 'code' | 'ctrlKey' | 'shiftKey' | 'altKey' | 'metaKey'>;

/** Keys that, right after Escape, leave the terminal and go to the slides. */
const LEAVE_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown']);
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta']);
export const ESC_WINDOW_MS = 800;

export class TerminalKeys {
  private escUntil = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** What a key event does. Escape itself is typed (readline sees it) and opens the window. */
  action(ev: KeyLike): KeyAction {
    if (ev.type !== 'keydown') return 'type';
    if (ev.ctrlKey && ev.shiftKey && !ev.altKey && !ev.metaKey) {
      if (ev.code === 'KeyC') return 'copy';
      if (ev.code === 'KeyV') return 'paste';
    }
    if (ev.key === 'Escape') {
      this.escUntil = this.now() + ESC_WINDOW_MS;
      return 'type';
    }
    const plain = !ev.ctrlKey && !ev.altKey && !ev.metaKey;
    if (this.escUntil && LEAVE_KEYS.has(ev.key) && plain && this.now() < this.escUntil) {
      this.escUntil = 0;
      return 'leave';
    }
    if (!MODIFIERS.has(ev.key)) this.escUntil = 0;
    return 'type';
  }
}
