// One learner in the cockpit: their cluster (health, and the place of the cluster map), their
// failing exercises with the last message, a read-only live view of their terminals (the
// gateway's viewer mode: no keystroke ever reaches their shell), and the instructor's actions
// (a hint, reset their lab, type the solution), the destructive ones confirmed in place.
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { button, el } from '../shared/dom';
import { ago, exerciseKey } from '../shared/room-grid';
import type { CourseLab, LearnerRow } from '../shared/room-protocol';
import { HINT_MAX } from '../shared/room-protocol';
import { TerminalConnection } from '../lab/terminal';
import { ClusterMapView } from '../lab/map/view';
import type { ClusterMapState } from '../shared/cluster-map';
import { confirmButton } from '../lab/slide/confirm';
import { Listeners } from '../lab/slide/controller';
import { ApiError, roomApi, viewerUrl } from './api';
import { C } from './text';

interface Viewer {
  node: string;
  tab: HTMLButtonElement;
  view: HTMLDivElement;
  term: Terminal | null;
  conn: TerminalConnection | null;
}

const message = (e: unknown) => C.failed(e instanceof ApiError ? e.message : (e as Error).message);

export class LearnerDetail {
  readonly root = el('section', 'cockpit-detail');
  private readonly heading = el('h2');
  private readonly summary = el('p', 'cockpit-detail-summary');
  private readonly failures = el('ul', 'cockpit-failures');
  private readonly tabs = el('div', 'cockpit-term-tabs');
  private readonly views = el('div', 'cockpit-term-views');
  private readonly termNote = el('p', 'cockpit-term-note');
  private readonly map = el('div', 'cockpit-map');
  private mapView: ClusterMapView | null = null;
  private readonly status = el('p', 'cockpit-action-status');
  private readonly listeners = new Listeners();
  private viewers: Viewer[] = [];
  learner: string | null = null;
  private name = '';

  constructor(private readonly onClose: () => void) {
    this.root.hidden = true;
    this.heading.id = 'cockpit-detail-title';
    this.heading.tabIndex = -1;
    this.root.setAttribute('aria-labelledby', this.heading.id);
    const close = button('cockpit-close', '×', C.close);
    close.addEventListener('click', () => this.close());
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !(e.target as HTMLElement).closest('.lab-confirm-ask')) this.close();
    });
    this.status.setAttribute('role', 'status');
    // The learner's live cluster map, drawn by the lab slides' renderer (states from main.ts).
    this.map.dataset.clusterMap = '';
    this.tabs.setAttribute('role', 'group');
    this.tabs.setAttribute('aria-label', C.terminals);
    const h3 = (t: string) => el('h3', '', t);
    this.root.append(close, this.heading, this.summary, this.map, h3(C.failures), this.failures, h3(C.terminals), el('p', 'cockpit-term-help', C.readOnly), this.tabs, this.termNote, this.views, h3(C.actions), this.actions(), this.status);
  }

  /** Opens the detail of `row` (a fresh terminal view); focus goes to its heading. */
  async open(row: LearnerRow, course: CourseLab[]): Promise<void> {
    this.disposeViewers();
    this.learner = row.id;
    this.map.dataset.learner = row.id;
    this.mapView = null;
    this.map.replaceChildren();
    this.root.hidden = false;
    this.update(row, course);
    this.status.textContent = '';
    this.heading.focus();
    await this.loadTerminals(row.id);
  }

  /** A new state of the open learner's cluster map. */
  showMap(cluster: string, state: ClusterMapState): void {
    if (cluster !== this.learner) return;
    if (!this.mapView) {
      this.mapView = new ClusterMapView({ title: C.map });
      this.map.replaceChildren(this.mapView.element);
    }
    this.mapView.render(state);
  }

  /** New figures for the open learner. */
  update(row: LearnerRow, course: CourseLab[]): void {
    if (row.id !== this.learner) return;
    const now = Date.now();
    this.name = row.name;
    this.heading.textContent = C.detailOf(row.name);
    const health = row.health ? C.healthText(row.health.up, row.health.nodes, row.health.memoryMB, row.health.frozen) : C.noCluster;
    this.summary.textContent = `${C.currentLab(row.currentLab)} · ${health} · ${C.activity} ${ago(row.lastActivity, now)}${row.slide ? ` · ${C.slide} ${row.slide}` : ''}`;
    this.failures.replaceChildren();
    for (const lab of course) {
      for (const ex of lab.exercises) {
        const cell = row.cells[exerciseKey(lab.lab, ex.id)];
        if (cell?.s !== 'failing') continue;
        const li = el('li');
        li.append(el('strong', '', `${lab.lab}/${ex.id}`), ` (${ago(cell.at, now)}) : ${cell.msg ?? ''}`);
        this.failures.append(li);
      }
    }
    if (!this.failures.children.length) this.failures.append(el('li', '', C.noFailure));
  }

  close(): void {
    if (this.root.hidden) return;
    this.disposeViewers();
    this.root.hidden = true;
    this.learner = null;
    this.onClose();
  }

  private actions(): HTMLElement {
    const box = el('div', 'cockpit-actions');
    const form = el('form', 'cockpit-hint');
    const label = el('label', '', C.hintLabel);
    const area = el('textarea');
    area.id = 'cockpit-hint-text';
    area.maxLength = HINT_MAX;
    area.rows = 2;
    area.required = true;
    label.htmlFor = area.id;
    const send = el('button', 'cockpit-send-hint', C.sendHint);
    send.type = 'submit';
    form.append(label, area, send);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const id = this.learner;
      if (!id) return;
      this.status.textContent = C.working;
      roomApi.hint(id, area.value).then(
        (r) => {
          this.status.textContent = C.hintSent(r.pages);
          area.value = '';
        },
        (err: unknown) => (this.status.textContent = message(err)),
      );
    });
    const reset = confirmButton('cockpit-reset', C.reset, C.resetConfirm('cet apprenant'), C.confirm, async (done) => {
      const id = this.learner;
      if (!id) return;
      try {
        const r = await roomApi.reset(id);
        done(C.resetDone(r.lab));
        await this.loadTerminals(id);
      } catch (err) {
        done(message(err));
      }
    });
    const solve = confirmButton('cockpit-solve', C.solve, C.solveConfirm('cet apprenant'), C.confirm, async (done) => {
      const id = this.learner;
      if (!id) return;
      try {
        const r = await roomApi.solve(id);
        done(C.solveDone(r.lab, r.exercise));
      } catch (err) {
        done(message(err));
      }
    });
    // The question names the learner at the moment it is asked.
    for (const [b, text] of [[reset, C.resetConfirm], [solve, C.solveConfirm]] as const) {
      b.trigger.addEventListener('click', () => {
        const q = b.element.querySelector('.lab-confirm-question');
        if (q) q.textContent = text(this.name);
      });
      b.bind(this.listeners);
    }
    box.append(form, reset.element, solve.element);
    return box;
  }

  private async loadTerminals(id: string): Promise<void> {
    this.disposeViewers();
    this.termNote.textContent = C.working;
    let nodes: string[];
    try {
      const list = await roomApi.terminals(id);
      nodes = list.nodes.map((n) => n.name);
    } catch (err) {
      this.termNote.textContent = message(err);
      return;
    }
    if (this.learner !== id) return;
    this.termNote.textContent = nodes.length ? '' : C.noTerminal;
    for (const node of nodes) {
      const tab = button('cockpit-term-tab', node);
      tab.setAttribute('aria-pressed', 'false');
      const view = el('div', 'cockpit-term-view');
      view.setAttribute('role', 'region');
      view.setAttribute('aria-label', C.terminalOf(node));
      view.dataset.node = node;
      view.hidden = true;
      const viewer: Viewer = { node, tab, view, term: null, conn: null };
      tab.addEventListener('click', () => this.show(viewer, id));
      this.tabs.append(tab);
      this.views.append(view);
      this.viewers.push(viewer);
    }
    if (this.viewers[0]) this.show(this.viewers[0], id);
  }

  private show(viewer: Viewer, learner: string): void {
    for (const v of this.viewers) {
      v.view.hidden = v !== viewer;
      v.tab.setAttribute('aria-pressed', String(v === viewer));
    }
    if (viewer.term) return;
    const term = new Terminal({ disableStdin: true, cursorBlink: false, fontSize: 13, scrollback: 2000, theme: { background: '#1d1f21', foreground: '#e0e0e0' } });
    viewer.term = term;
    term.open(viewer.view);
    viewer.conn = new TerminalConnection(() => viewerUrl(learner, viewer.node), {
      write: (data, done) => term.write(data, done),
      reset: () => term.reset(),
      notice: (text) => term.write(`\r\n\x1b[2m${text}\x1b[0m\r\n`),
      size: () => ({ cols: term.cols, rows: term.rows }),
      status: (s) => (viewer.view.dataset.status = s),
      resized: (cols, rows) => term.resize(cols, rows),
    }, { viewer: true });
    viewer.conn.start();
  }

  private disposeViewers(): void {
    for (const v of this.viewers) {
      v.conn?.dispose();
      v.term?.dispose();
    }
    this.viewers = [];
    this.tabs.replaceChildren();
    this.views.replaceChildren();
  }
}
