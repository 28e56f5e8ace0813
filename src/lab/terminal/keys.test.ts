import { describe, expect, it } from 'vitest';
import { ESC_WINDOW_MS, TerminalKeys, type KeyLike } from './keys';

const key = (k: string, more: Partial<KeyLike> = {}): KeyLike => ({
  type: 'keydown', key: k, code: more.code ?? '', ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...more,
});

describe('terminal keys', () => {
  it('copies and pastes with Ctrl+Shift+C and Ctrl+Shift+V only', () => {
    const keys = new TerminalKeys(() => 0);
    expect(keys.action(key('C', { code: 'KeyC', ctrlKey: true, shiftKey: true }))).toBe('copy');
    expect(keys.action(key('V', { code: 'KeyV', ctrlKey: true, shiftKey: true }))).toBe('paste');
    // Ctrl+C stays the shell's interrupt; with Alt it is not ours either.
    expect(keys.action(key('c', { code: 'KeyC', ctrlKey: true }))).toBe('type');
    expect(keys.action(key('C', { code: 'KeyC', ctrlKey: true, shiftKey: true, altKey: true }))).toBe('type');
  });

  it('leaves for the slides on Escape then an arrow or a Page key, within the window', () => {
    let now = 1000;
    const keys = new TerminalKeys(() => now);
    expect(keys.action(key('ArrowRight'))).toBe('type');
    expect(keys.action(key('Escape'))).toBe('type');
    expect(keys.action(key('Shift'))).toBe('type'); // a modifier keeps the window open
    expect(keys.action(key('PageDown'))).toBe('leave');
    expect(keys.action(key('ArrowRight'))).toBe('type'); // once
    keys.action(key('Escape'));
    now += ESC_WINDOW_MS + 1;
    expect(keys.action(key('ArrowLeft'))).toBe('type'); // too late: readline's Meta prefix
  });

  it('forgets the Escape after another key, or with a modifier held on the arrow', () => {
    const keys = new TerminalKeys(() => 0);
    keys.action(key('Escape'));
    keys.action(key('b'));
    expect(keys.action(key('ArrowLeft'))).toBe('type');
    keys.action(key('Escape'));
    expect(keys.action(key('ArrowLeft', { ctrlKey: true }))).toBe('type');
    expect(keys.action({ ...key('ArrowLeft'), type: 'keyup' })).toBe('type');
  });
});
