// The state of a node's terminal tab, from its connection and its shell (pure: unit-tested).
import type { TerminalState } from '../../shared/terminal-protocol';
import type { ConnectionStatus } from './connection';

/** Shown by the tab's status dot and said in words (never by colour alone). */
export type TabState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'down' | 'exited';

export const TAB_STATE_TEXT: Record<TabState, string> = {
  idle: 'pas encore ouvert',
  connecting: 'connexion…',
  open: 'connecté',
  reconnecting: 'reconnexion…',
  closed: 'déconnecté',
  down: 'nœud arrêté',
  exited: 'shell terminé',
};

/** The connection first; once connected, the node (a node that is down keeps its socket open). */
export function tabState(status: ConnectionStatus | null, shell: TerminalState | null): TabState {
  if (!status) return 'idle';
  if (status !== 'open') return status;
  if (shell === 'unavailable') return 'down';
  if (shell === 'exited') return 'exited';
  return 'open';
}

/** The tab a key moves to in a tab list of `n` tabs from tab `i` (ARIA tabs pattern), or -1. */
export function tabKeyTarget(key: string, i: number, n: number): number {
  switch (key) {
    case 'ArrowRight':
      return (i + 1) % n;
    case 'ArrowLeft':
      return (i - 1 + n) % n;
    case 'Home':
      return 0;
    case 'End':
      return n - 1;
    default:
      return -1;
  }
}
