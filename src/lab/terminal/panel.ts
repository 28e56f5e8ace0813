// The lab terminal panel: one xterm.js per node, in tabs, inside a reveal.js slide. The slide
// holds a placeholder ("slot"); the terminals live in an overlay attached to <body> and kept over
// the slot (./overlay.ts says why).
import { el } from '../../shared/dom';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import './terminal.css';
import { TerminalConnection, type ConnectionStatus } from './connection';
import type { TerminalState } from '../../shared/terminal-protocol';
import { copyText } from '../clipboard';
import { TAB_STATE_TEXT, tabKeyTarget, tabState, type TabState } from './tab-state';
import { TerminalKeys } from './keys';
import { OverlayFollower } from './overlay';

export interface TerminalTab { node: string; label?: string }
export interface TerminalPanelOptions {
  wsUrl(node: string, tab: string): string;
  nodes: TerminalTab[];
  onStatus?(s: 'connecting' | 'open' | 'reconnecting' | 'closed'): void;
  /** Font size in slide pixels (before the slide scale), default 16. */
  fontSize?: number;
  /** Controls shown at the right end of the tab bar (e.g. the lab's full-width toggle). */
  tools?: HTMLElement[];
}


const TEXT = {
  tablist: 'Terminaux des nœuds',
  connecting: 'Connexion…',
  reconnecting: 'Reconnexion…',
  closed: 'Déconnecté',
  copied: 'Copié\u202f!',
  copyFailed: 'Copie impossible\u00a0: utilisez Ctrl+Maj+C',
  hint: 'Ctrl+Maj+C pour copier, Ctrl+Maj+V pour coller · Échap puis ← → pour changer de diapositive',
  terminalOf: (node: string) => `Terminal de ${node}`,
  inert: 'Terminal disponible dans la présentation',
};

interface Tab {
  node: string;
  button: HTMLButtonElement;
  /** The state in words, inside the tab (its accessible name ends with it). */
  stateText: HTMLSpanElement;
  view: HTMLDivElement;
  term: Terminal | null;
  fit: FitAddon | null;
  conn: TerminalConnection | null;
  status: ConnectionStatus | null;
  /** The shell's state on its node, from the server. */
  shell: TerminalState | null;
}

let panelCount = 0;

export class TerminalPanel {
  private readonly root: HTMLDivElement;
  private readonly slot: HTMLDivElement;
  private readonly overlay: HTMLDivElement;
  private readonly badge: HTMLDivElement;
  private readonly toast: HTMLDivElement;
  private readonly hint: HTMLDivElement;
  private readonly tabs: Tab[] = [];
  private current: Tab | null = null;
  private follower: OverlayFollower | null = null;
  private readonly keys = new TerminalKeys();
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private copyTimer: ReturnType<typeof setTimeout> | null = null;
  private resizeTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private readonly inert: boolean;
  private readonly baseFont: number;

  constructor(host: HTMLElement, private readonly opts: TerminalPanelOptions) {
    if (opts.nodes.length === 0) throw new Error('TerminalPanel: no node');
    this.baseFont = opts.fontSize ?? 16;
    const uid = `lab-term-${++panelCount}`;

    // In the slide: tab bar, placeholder, hint.
    this.root = el('div', 'lab-term');
    const bar = el('div', 'lab-term-tabs');
    bar.setAttribute('role', 'tablist');
    bar.setAttribute('aria-label', TEXT.tablist);
    this.slot = el('div', 'lab-term-slot');
    this.hint = el('div', 'lab-term-hint');
    this.hint.textContent = TEXT.hint;
    const head = el('div', 'lab-term-head');
    head.append(bar);
    if (opts.tools?.length) {
      const tools = el('div', 'lab-term-tools');
      tools.append(...opts.tools);
      head.append(tools);
    }
    this.root.append(head, this.slot, this.hint);

    // Outside the slides: the terminals.
    this.overlay = el('div', 'lab-term-overlay');
    this.overlay.hidden = true;
    this.badge = el('div', 'lab-term-badge');
    this.badge.setAttribute('role', 'status');
    this.badge.hidden = true;
    this.toast = el('div', 'lab-term-toast');
    this.toast.setAttribute('aria-live', 'polite');
    this.toast.hidden = true;

    opts.nodes.forEach((n, i) => {
      const button = el('button', 'lab-term-tab');
      button.type = 'button';
      const dot = el('span', 'lab-term-dot');
      dot.setAttribute('aria-hidden', 'true');
      const stateText = el('span', 'lab-visually-hidden');
      button.append(dot, n.label ?? n.node, stateText);
      button.id = `${uid}-tab-${i}`;
      button.setAttribute('role', 'tab');
      button.setAttribute('aria-selected', 'false');
      button.dataset.node = n.node;
      const view = el('div', 'lab-term-view');
      view.id = `${uid}-view-${i}`;
      view.setAttribute('role', 'tabpanel');
      view.setAttribute('aria-label', TEXT.terminalOf(n.label ?? n.node));
      view.hidden = true;
      button.setAttribute('aria-controls', view.id);
      const tab: Tab = { node: n.node, button, stateText, view, term: null, fit: null, conn: null, status: null, shell: null };
      this.updateTabState(tab);
      button.addEventListener('click', () => { this.show(tab); this.focus(); });
      bar.append(button);
      this.overlay.append(view);
      this.tabs.push(tab);
    });
    this.overlay.append(this.badge, this.toast);
    // The tab list's keys (ARIA tabs pattern): ← → Home End move between nodes, not slides.
    bar.addEventListener('keydown', (ev) => {
      const i = this.tabs.findIndex((t) => t.button === ev.target);
      if (i < 0) return;
      const tab = this.tabs[tabKeyTarget(ev.key, i, this.tabs.length)];
      if (!tab) return;
      ev.preventDefault();
      ev.stopPropagation();
      this.show(tab);
      tab.button.focus();
    });

    // Keys typed in the terminal must not reach reveal.js (it listens on document).
    for (const type of ['keydown', 'keyup', 'keypress'] as const) {
      this.overlay.addEventListener(type, this.stopKeys);
    }
    this.overlay.addEventListener('focusin', this.onFocusChange);
    this.overlay.addEventListener('focusout', this.onFocusChange);

    host.append(this.root);
    // The speaker view loads the deck twice more in iframes (?receiver), and PDF export prints
    // it: no shell there, only the placeholder.
    this.inert = /[?&](receiver|print-pdf)\b/.test(location.search);
    if (this.inert) {
      this.slot.textContent = TEXT.inert;
      this.slot.classList.add('lab-term-inert');
      this.disposed = true;
      return;
    }
    document.body.append(this.overlay);
    this.follower = new OverlayFollower(this.slot, this.overlay, this.baseFont, {
      shown: () => {
        if (this.current && !this.current.term) this.ensureOpen(this.current);
      },
      font: (size) => {
        for (const t of this.tabs) if (t.term) t.term.options.fontSize = size;
      },
      resized: () => {
        if (this.current?.fit) safeFit(this.current.fit);
      },
    });
    const first = this.tabs[0];
    if (first) this.show(first);
  }

  focus(): void {
    this.current?.term?.focus();
  }

  select(node: string): void {
    const tab = this.tabs.find((t) => t.node === node);
    if (!tab) throw new Error(`TerminalPanel: unknown node ${node}`);
    this.show(tab);
  }

  /** The selected text of the current terminal. */
  getSelection(): string {
    return this.current?.term?.getSelection() ?? '';
  }

  /** Columns and rows of the current terminal as xterm.js laid it out (0 × 0 before it opens). */
  get size(): { cols: number; rows: number } {
    const term = this.current?.term;
    return term ? { cols: term.cols, rows: term.rows } : { cols: 0, rows: 0 };
  }

  /** The element the terminal is drawn in (outside the slides), for tests and styling. */
  get element(): HTMLElement {
    return this.overlay;
  }

  dispose(): void {
    if (this.inert) {
      this.root.remove();
      return;
    }
    if (this.disposed) return;
    this.disposed = true;
    this.follower?.stop();
    for (const t of [this.toastTimer, this.copyTimer, this.resizeTimer]) if (t) clearTimeout(t);
    for (const tab of this.tabs) {
      tab.conn?.dispose();
      tab.term?.dispose();
    }
    this.overlay.remove();
    this.root.remove();
  }

  // ------------------------------------------------------------------ tabs

  private show(tab: Tab): void {
    if (this.current === tab) return;
    const hadFocus = this.overlay.contains(document.activeElement);
    for (const t of this.tabs) {
      const on = t === tab;
      t.button.setAttribute('aria-selected', String(on));
      t.button.tabIndex = on ? 0 : -1;
      t.view.hidden = !on;
    }
    this.current = tab;
    this.follower?.invalidate(); // a fit on the next frame
    this.updateBadge();
    if (this.follower?.visible) this.ensureOpen(tab);
    if (hadFocus) requestAnimationFrame(() => tab.term?.focus());
  }

  /** Creates the xterm and the connection of a tab the first time it is visible. */
  private ensureOpen(tab: Tab): void {
    if (tab.term) return;
    const term = new Terminal({
      fontSize: this.follower?.font ?? this.baseFont,
      fontFamily: '"DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
      cursorBlink: true,
      scrollback: 5000,
      allowProposedApi: false,
      theme: { background: '#1d1f21', foreground: '#e0e0e0', cursor: '#f0c674', selectionBackground: '#5a6b8c' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    tab.term = term;
    tab.fit = fit;
    term.open(tab.view);
    safeFit(fit);
    term.attachCustomKeyEventHandler((ev) => this.onKey(tab, ev));
    term.onSelectionChange(() => this.onSelection(tab));
    const conn = new TerminalConnection(() => this.opts.wsUrl(tab.node, '1'), {
      write: (data, done) => term.write(data, done),
      reset: () => term.reset(),
      notice: (text) => term.write(`\r\n\x1b[2m${text}\x1b[0m\r\n`),
      size: () => ({ cols: term.cols, rows: term.rows }),
      state: (s) => {
        tab.shell = s;
        this.updateTabState(tab);
      },
      status: (s) => {
        tab.status = s;
        tab.button.dataset.status = s;
        this.updateTabState(tab);
        if (tab === this.current) {
          this.updateBadge();
          this.opts.onStatus?.(s);
        }
      },
    });
    tab.conn = conn;
    term.onData((d) => conn.send(d));
    term.onBinary((d) => conn.send(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
    term.onResize(({ cols, rows }) => {
      if (this.resizeTimer) clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => conn.resize(cols, rows), 80);
    });
    conn.start();
  }

  private updateTabState(tab: Tab): void {
    const state = tabState(tab.status, tab.shell);
    tab.button.dataset.state = state;
    tab.stateText.textContent = ` (${TAB_STATE_TEXT[state]})`;
    tab.button.title = `${TEXT.terminalOf(tab.node)}\u00a0: ${TAB_STATE_TEXT[state]}`;
  }

  /** For tests and the console: the state of each tab. */
  get states(): Record<string, TabState> {
    return Object.fromEntries(this.tabs.map((t) => [t.node, tabState(t.status, t.shell)]));
  }

  private updateBadge(): void {
    const s = this.current?.status;
    const text = s === 'connecting' ? TEXT.connecting : s === 'reconnecting' ? TEXT.reconnecting : s === 'closed' ? TEXT.closed : '';
    this.badge.textContent = text;
    this.badge.hidden = !text;
  }

  // ------------------------------------------------------------------ keyboard, clipboard

  private readonly stopKeys = (ev: KeyboardEvent) => {
    if (released.has(ev)) return;
    ev.stopPropagation();
  };

  private readonly onFocusChange = () => {
    // focusout fires before the new element gets focus: look after the event.
    queueMicrotask(() => {
      const focused = this.overlay.contains(document.activeElement);
      this.overlay.classList.toggle('lab-term-focused', focused);
      this.root.classList.toggle('lab-term-focused', focused);
    });
  };

  /** xterm's custom key handler: false = xterm ignores the event. */
  private onKey(tab: Tab, ev: KeyboardEvent): boolean {
    const term = tab.term;
    if (!term) return true;
    switch (this.keys.action(ev)) {
      case 'type':
        return true;
      case 'copy':
        ev.preventDefault();
        if (term.hasSelection()) void this.copy(term.getSelection());
        return false;
      case 'paste':
        // Let the browser fire its native paste event, which xterm turns into input.
        return false;
      case 'leave':
        // This very key reaches the slides; Ctrl+G after the Escape already sent makes
        // readline abort its pending Meta prefix.
        released.add(ev);
        tab.conn?.send('\x07');
        term.blur();
        return false;
    }
  }

  private onSelection(tab: Tab): void {
    if (this.copyTimer) clearTimeout(this.copyTimer);
    this.copyTimer = setTimeout(() => {
      const text = tab.term?.getSelection() ?? '';
      if (text) void this.copy(text);
    }, 120);
  }

  private async copy(text: string): Promise<void> {
    this.flash((await copyText(text)) ? TEXT.copied : TEXT.copyFailed);
  }

  private flash(text: string): void {
    this.toast.textContent = text;
    this.toast.hidden = false;
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { this.toast.hidden = true; }, 1500);
  }
}

/** Key events let through to the slides (Escape then an arrow). */
const released = new WeakSet<Event>();

function safeFit(fit: FitAddon): void {
  try { fit.fit(); } catch { /* not measurable yet */ }
}
