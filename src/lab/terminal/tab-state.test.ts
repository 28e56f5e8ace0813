import { describe, expect, it } from 'vitest';
import { tabKeyTarget, tabState, TAB_STATE_TEXT } from './tab-state';

describe('terminal tab state', () => {
  it('follows the connection, then the node', () => {
    expect(tabState(null, null)).toBe('idle');
    expect(tabState('connecting', null)).toBe('connecting');
    expect(tabState('reconnecting', 'running')).toBe('reconnecting');
    expect(tabState('closed', 'running')).toBe('closed');
    expect(tabState('open', 'starting')).toBe('open');
    expect(tabState('open', 'running')).toBe('open');
    expect(tabState('open', 'unavailable')).toBe('down');
    expect(tabState('open', 'exited')).toBe('exited');
  });

  it('has words for every state', () => {
    expect(TAB_STATE_TEXT.down).toBe('nœud arrêté');
    for (const text of Object.values(TAB_STATE_TEXT)) expect(text).toMatch(/\S/);
  });

  it('moves between tabs with the arrows, Home and End, wrapping around', () => {
    expect(tabKeyTarget('ArrowRight', 0, 3)).toBe(1);
    expect(tabKeyTarget('ArrowRight', 2, 3)).toBe(0);
    expect(tabKeyTarget('ArrowLeft', 0, 3)).toBe(2);
    expect(tabKeyTarget('Home', 2, 3)).toBe(0);
    expect(tabKeyTarget('End', 0, 3)).toBe(2);
    expect(tabKeyTarget('Enter', 1, 3)).toBe(-1);
  });
});
