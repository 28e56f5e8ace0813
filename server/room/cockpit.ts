// The room as the instructor sees it: a row per learner (progress cells, activity, slide,
// cluster health), pushed to the instructor's pages over the live channel (topic `room` of
// src/shared/room-protocol.ts). A cockpit page gets the course and every row when it connects;
// afterwards a row is sent again when it changes (progress written, a page comes or goes, a new
// slide, new health figures), at most every `debounceMs` per learner. Learners' pages never
// receive this topic. Health is polled only while a cockpit page is open, one cluster at a time.
import type { ClusterManager } from '../clusters';
import type { ProgressStore } from '../labs/progress';
import type { Learner, LearnerRegistry } from '../learners';
import type { LiveClient, LiveHub } from '../live/hub';
import type { TerminalGateway } from '../terminals';
import { cellsOf, lastCheckOf, lastPassOf } from '../../src/shared/room-grid';
import { hintTopic, presenceTopic, roomTopic, type CourseLab, type Health, type LearnerRow } from '../../src/shared/room-protocol';

export interface CockpitDeps {
  live: LiveHub;
  registry: LearnerRegistry;
  progress: ProgressStore;
  gateway: TerminalGateway;
  clusters: ClusterManager | null;
  /** The course's labs in slide order (computed once, on first use). */
  course(): CourseLab[];
  /** Per-learner debounce of row updates (default 250 ms). */
  debounceMs?: number;
  /** Period of the health poll while a cockpit page is open (default 20 s; 0: never). */
  healthMs?: number;
  /** A cluster frozen for idleness (server/capacity/): the poll leaves it alone (no thaw, no call to a paused engine). */
  frozen?(learner: string): boolean;
}

const isInstructorPage = (c: LiveClient) => c.learner.role === 'instructor';

export class RoomCockpit {
  private readonly slides = new Map<string, string>();
  private readonly health = new Map<string, Health>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** The last row sent to the cockpit pages, per learner: an unchanged row is not sent again. */
  private readonly sent = new Map<string, string>();
  private healthTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;

  constructor(private readonly deps: CockpitDeps) {
    const { live } = deps;
    live.onConnect((client) => {
      if (isInstructorPage(client)) {
        void this.sendSnapshot(client);
        this.startHealth();
      } else this.changed(client.learner.id);
    });
    live.onDisconnect((client) => {
      if (!isInstructorPage(client)) this.changed(client.learner.id);
      else if (live.pages(isInstructorPage).length === 0) this.stopHealth();
    });
    live.on(presenceTopic, (client, data) => {
      if (this.slides.get(client.learner.id) === data.slide) return;
      this.slides.set(client.learner.id, data.slide);
      this.changed(client.learner.id);
    });
    deps.progress.onChange((learner) => this.changed(learner));
  }

  /** Learners of the room (not the instructor), by name. */
  learners(): Learner[] {
    return this.deps.registry
      .list()
      .filter((l) => l.role === 'learner')
      .sort((a, b) => a.name.localeCompare(b.name, 'fr') || a.id.localeCompare(b.id));
  }

  async row(learner: Learner): Promise<LearnerRow> {
    const state = await this.deps.progress.get(learner.id);
    const input = this.deps.gateway.lastInputAt(learner.id);
    const check = lastCheckOf(state);
    const typed = input === null ? null : new Date(input).toISOString();
    const lastActivity = typed && check ? (typed > check ? typed : check) : (typed ?? check);
    return {
      id: learner.id,
      name: learner.name,
      pages: this.deps.live.pagesOf(learner.id).length,
      lastActivity,
      slide: this.slides.get(learner.id) ?? null,
      currentLab: state.currentLab ?? null,
      labSince: state.currentLab ? (state.currentLabSince ?? null) : null,
      lastPassAt: lastPassOf(state),
      health: this.health.get(learner.id) ?? null,
      cells: cellsOf(state, this.deps.course()),
    };
  }

  async rows(): Promise<LearnerRow[]> {
    return Promise.all(this.learners().map((l) => this.row(l)));
  }

  /** A hint to every open page of a learner; how many pages got it. */
  hint(learner: string, text: string): number {
    const pages = this.deps.live.pagesOf(learner).length;
    this.deps.live.send(learner, hintTopic, { text, at: new Date().toISOString() });
    return pages;
  }

  /** A learner's row changed: send it to the cockpit pages soon (once per burst). */
  changed(learner: string): void {
    if (this.closed || this.pending.has(learner)) return;
    this.pending.set(
      learner,
      setTimeout(() => {
        this.pending.delete(learner);
        void this.push(learner);
      }, this.deps.debounceMs ?? 250).unref(),
    );
  }

  close(): void {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    this.stopHealth();
  }

  private async push(id: string): Promise<void> {
    const learner = this.deps.registry.get(id);
    if (!learner || learner.role !== 'learner') return;
    const cockpits = this.deps.live.pages(isInstructorPage);
    if (cockpits.length === 0) return;
    const row = await this.row(learner);
    const json = JSON.stringify(row);
    if (this.sent.get(id) === json) return;
    this.sent.set(id, json);
    for (const page of cockpits) page.send(roomTopic, { kind: 'learner', row });
  }

  private async sendSnapshot(client: LiveClient): Promise<void> {
    const learners = this.learners();
    client.send(roomTopic, { kind: 'course', course: this.deps.course(), learners: learners.map((l) => l.id) });
    // `sent` is left alone: it is what every other cockpit page has.
    for (const learner of learners) client.send(roomTopic, { kind: 'learner', row: await this.row(learner) });
  }

  private startHealth(): void {
    const period = this.deps.healthMs ?? 20_000;
    if (this.healthTimer || period <= 0 || !this.deps.clusters) return;
    void this.pollHealth();
    this.healthTimer = setInterval(() => void this.pollHealth(), period);
    this.healthTimer.unref();
  }

  private stopHealth(): void {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
  }

  /** Nodes up and memory of each learner's cluster, one cluster after the other (cheap for the host). */
  private async pollHealth(): Promise<void> {
    const clusters = this.deps.clusters;
    if (!clusters || this.polling) return;
    this.polling = true;
    try {
      for (const learner of this.learners()) {
        if (this.closed || !this.healthTimer) break;
        const previous = this.health.get(learner.id) ?? null;
        if (this.deps.frozen?.(learner.id)) {
          if (previous && !previous.frozen) this.health.set(learner.id, { ...previous, frozen: true, at: new Date().toISOString() });
          this.changed(learner.id);
          continue;
        }
        const health = await clusterHealth(clusters, learner.id).catch(() => null);
        // Figures that did not change keep their time: `at` is since when they hold.
        if (!health) this.health.delete(learner.id);
        else if (!sameHealth(previous, health)) this.health.set(learner.id, health);
        // Activity moves without a progress change (keystrokes): the poll refreshes the row, sent if it changed.
        this.changed(learner.id);
      }
    } finally {
      this.polling = false;
    }
  }
}

function sameHealth(a: Health | null, b: Health | null): boolean {
  return a === b || (a !== null && b !== null && a.nodes === b.nodes && a.up === b.up && a.memoryMB === b.memoryMB && Boolean(a.frozen) === Boolean(b.frozen));
}

/** Nodes up (machine running and, in a swarm, ready) and memory (when the driver tells); null without a cluster. */
export async function clusterHealth(clusters: ClusterManager, cluster: string): Promise<Health | null> {
  const status = await clusters.status(cluster);
  if (!status.exists) return null;
  const up = status.nodes.filter((n) => n.reachable && (!n.swarm || n.swarm.state === 'ready')).length;
  const bytes = clusters.driver.memoryBytes ? await clusters.driver.memoryBytes(cluster).catch(() => null) : null;
  return { nodes: status.nodes.length, up, memoryMB: bytes === null ? null : Math.round(bytes / 1048576), at: new Date().toISOString() };
}
