// The cluster map, drawn: `ClusterMapView` renders a ClusterMapState (src/shared/cluster-map.ts)
// into its element, whoever gives the states: the live lab slide (src/lab/slide/live-map.ts),
// the replay of a recorded solution (src/lab/replay.ts), the instructor's cockpit. One column
// per node (name, role, leader, situation in words), the tasks as chips (the service's colour
// AND its name and slot, the state as a glyph AND in words), tasks waiting for a node in a last
// column with their reason in French. Each column is a list for screen readers; a chip that has
// the pointer or the keyboard focus shows its details below the map; a polite live region says
// what changed, one line per service (« web : 3 tâches en cours sur 3 nœuds »), never per chip.
import { el } from '../../shared/dom';
import { mapChanges, nodeSituation, type ClusterMapState, type MapNode, type MapService, type MapTask, type TaskPhase } from '../../shared/cluster-map';
import './map.css';

const PHASE_TEXT: Record<TaskPhase, string> = {
  running: 'en cours',
  starting: 'démarrage',
  pending: 'en attente',
  failed: 'en échec',
  stopping: 'arrêt',
};
/** Shapes, not only colours: ▶ running, ◔ starting, ⏸ waiting, ✖ failed, ■ stopping. */
const PHASE_GLYPH: Record<TaskPhase, string> = { running: '▶', starting: '◔', pending: '⏸', failed: '✖', stopping: '■' };
const HEALTH_TEXT = { healthy: 'saine', unhealthy: 'malade', starting: 'santé en cours de test' } as const;
const HEALTH_GLYPH = { healthy: '✚', unhealthy: '!', starting: '?' } as const;

export interface MapViewOptions {
  /** Title above the map (default « Carte du cluster »). */
  title?: string;
  /** Announce changes in a polite live region (off for a replay that seeks). */
  announce?: boolean;
}

export class ClusterMapView {
  readonly element: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly live: HTMLElement;
  private readonly caption: HTMLElement;
  private state: ClusterMapState | null = null;
  private focusedTask: string | null = null;

  constructor(private readonly options: MapViewOptions = {}) {
    // A region, not a <section>: inside a slide, a <section> would be taken for a vertical slide.
    this.element = el('div', 'cmap');
    const title = options.title ?? 'Carte du cluster';
    this.element.setAttribute('role', 'region');
    this.element.setAttribute('aria-label', title);
    const head = el('div', 'cmap-head');
    head.append(el('h3', 'cmap-title', title));
    this.caption = el('span', 'cmap-caption');
    head.append(this.caption);
    this.grid = el('div', 'cmap-grid');
    this.detail = el('p', 'cmap-detail');
    this.live = el('p', 'lab-visually-hidden');
    this.live.setAttribute('aria-live', 'polite');
    this.element.append(head, this.grid, this.detail, this.live);
    this.element.append(el('p', 'cmap-empty', 'En attente de l’état du cluster…'));
    const show = (e: Event): void => {
      const chip = (e.target as HTMLElement | null)?.closest<HTMLElement>('.cmap-chip');
      if (chip) this.showDetail(chip.dataset.task ?? null);
    };
    this.grid.addEventListener('pointerover', show);
    this.grid.addEventListener('focusin', show);
  }

  /** The state shown now. */
  get current(): ClusterMapState | null {
    return this.state;
  }

  /** Draws `state`; the live region says what changed since the previous one. */
  render(state: ClusterMapState): void {
    const before = this.state;
    this.state = state;
    this.element.querySelector('.cmap-empty')?.remove();
    const hadFocus = this.grid.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.task : undefined;
    this.caption.textContent = state.manager ? `lu sur ${state.manager}` : (state.error ?? 'aucun manager ne répond');
    this.element.classList.toggle('cmap-no-manager', !state.manager);
    const services = new Map(state.services.map((s) => [s.id, s]));
    const columns = state.nodes.map((n) => this.column(n, state.tasks.filter((t) => t.node === n.name), services));
    const waiting = state.tasks.filter((t) => t.node === null || !state.nodes.some((n) => n.name === t.node));
    if (waiting.length) columns.push(this.waitingColumn(waiting, services));
    this.grid.replaceChildren(...columns);
    this.grid.style.setProperty('--cmap-columns', String(columns.length));
    if (hadFocus) this.grid.querySelector<HTMLElement>(`.cmap-chip[data-task="${CSS.escape(hadFocus)}"]`)?.focus({ preventScroll: true });
    this.showDetail(this.focusedTask);
    if (this.options.announce !== false && before) {
      const lines = mapChanges(before, state);
      if (lines.length) this.live.textContent = lines.join('. ');
    }
  }

  private column(n: MapNode, tasks: MapTask[], services: Map<string, MapService>): HTMLElement {
    const col = el('div', 'cmap-node');
    col.dataset.node = n.name;
    const situation = nodeSituation(n);
    col.dataset.situation = n.machine === 'stopped' ? 'stopped' : n.machine === 'paused' ? 'paused' : n.state === 'down' ? 'down' : (n.availability ?? 'none');
    const head = el('div', 'cmap-node-head');
    const name = el('span', 'cmap-node-name', n.name);
    const role = el('span', 'cmap-node-role', n.leader ? '★ leader' : n.role);
    const sit = el('span', 'cmap-node-state', `${situationGlyph(col.dataset.situation)}${situation}`);
    head.append(name, role, sit);
    const list = el('ul', 'cmap-tasks');
    list.setAttribute('aria-label', `${n.name}, ${n.role}${n.leader ? ' leader' : ''}, ${situation}, ${tasks.length}\u00a0tâche${tasks.length > 1 ? 's' : ''}`);
    list.append(...tasks.map((t) => this.chip(t, services.get(t.service))));
    col.append(head, list);
    return col;
  }

  private waitingColumn(tasks: MapTask[], services: Map<string, MapService>): HTMLElement {
    const col = el('div', 'cmap-node cmap-waiting');
    col.dataset.node = '';
    const head = el('div', 'cmap-node-head');
    head.append(el('span', 'cmap-node-name', 'Sans nœud'), el('span', 'cmap-node-state', '⏸ en attente'));
    const list = el('ul', 'cmap-tasks');
    list.setAttribute('aria-label', `tâches sans nœud, ${tasks.length}`);
    list.append(...tasks.map((t) => this.chip(t, services.get(t.service), true)));
    col.append(head, list);
    return col;
  }

  private chip(t: MapTask, s: MapService | undefined, withReason = false): HTMLLIElement {
    const li = el('li', `cmap-chip cmap-colour-${s?.colour ?? 0}`);
    li.dataset.task = t.id;
    li.dataset.service = s?.name ?? '';
    li.dataset.phase = t.phase;
    if (t.health) li.dataset.health = t.health;
    li.tabIndex = 0;
    const label = taskLabel(t, s);
    const glyph = el('span', 'cmap-chip-glyph', PHASE_GLYPH[t.phase]);
    glyph.setAttribute('aria-hidden', 'true');
    li.append(glyph, el('span', 'cmap-chip-name', label));
    if (t.health) {
      const h = el('span', 'cmap-chip-health', HEALTH_GLYPH[t.health]);
      h.setAttribute('aria-hidden', 'true');
      li.append(h);
    }
    if (withReason && t.reason) li.append(el('span', 'cmap-chip-reason', t.reason));
    li.setAttribute('aria-label', describe(t, s));
    li.title = describe(t, s);
    return li;
  }

  private showDetail(taskId: string | null): void {
    this.focusedTask = taskId;
    const t = taskId ? this.state?.tasks.find((x) => x.id === taskId) : undefined;
    const s = t ? this.state?.services.find((x) => x.id === t.service) : undefined;
    this.detail.textContent = t ? describe(t, s, true) : '';
  }
}

function situationGlyph(situation: string | undefined): string {
  switch (situation) {
    case 'stopped':
      return '⏻ ';
    case 'paused':
      return '⏸ ';
    case 'down':
      return '✖ ';
    case 'drain':
      return '⇩ ';
    case 'pause':
      return '⏸ ';
    default:
      return '';
  }
}

function taskLabel(t: MapTask, s: MapService | undefined): string {
  const name = s?.name ?? '?';
  return t.slot !== null ? `${name}.${t.slot}` : name;
}

/** A chip in words: « web.1 : en cours, saine, sur worker1 » (+ Docker's state and message). */
function describe(t: MapTask, s: MapService | undefined, full = false): string {
  const parts = [PHASE_TEXT[t.phase]];
  if (t.health) parts.push(HEALTH_TEXT[t.health]);
  parts.push(t.node ? `sur ${t.node}` : 'sans nœud');
  if (t.reason) parts.push(t.reason);
  let text = `${taskLabel(t, s)}\u00a0: ${parts.join(', ')}`;
  if (full) {
    text += ` — service ${s?.name ?? '?'} (${s?.mode === 'global' ? 'global' : `${s?.replicas ?? '?'} répliques`}), état Docker «\u00a0${t.state}\u00a0»`;
    if (t.message && t.message !== t.reason) text += `, «\u00a0${t.message}\u00a0»`;
  }
  return text;
}
