// The cluster maps of open pages, over the live hub (server/live/hub.ts): a page says it shows
// its learner's map (`cluster-map` topic, `{ watch: true }`), the first watcher of a cluster
// starts ONE ClusterWatch (one event subscription to a manager), every new state goes to the
// pages watching that cluster, and the watch stops with the last page. Other features follow a
// cluster too: the automatic checks re-evaluate on its events (`onEvent`), the instructor's
// cockpit may watch any learner's cluster (`watch(cluster, key)` with a key of its own).
import { clusterMapTopic, learnerMapTopic, type ClusterMapState } from '../../src/shared/cluster-map';
import type { LiveClient, LiveHub } from './hub';
import { ClusterWatch, type WatchDriver, type WatchOptions } from './cluster-watch';

interface Watched {
  watch: ClusterWatch;
  /** Who watches: page ids of the hub, or keys of other features. */
  watchers: Set<string>;
}

export class ClusterMaps {
  private readonly clusters = new Map<string, Watched>();
  private readonly eventListeners: ((cluster: string) => void)[] = [];
  private readonly stateListeners: ((cluster: string, state: ClusterMapState) => void)[] = [];
  /** The learner's cluster each cockpit page follows (by page id). */
  private readonly followed = new Map<number, string>();

  constructor(
    private readonly hub: LiveHub,
    private readonly driver: WatchDriver,
    private readonly options: WatchOptions = {},
  ) {
    hub.on(clusterMapTopic, (client, data) => {
      // A page's own learner's cluster (the cluster id is the learner id).
      if (data.watch) this.watch(client.learner.id, pageKey(client));
      else this.unwatch(client.learner.id, pageKey(client));
    });
    // The cockpit: one other learner's cluster at a time, per instructor page.
    hub.on(learnerMapTopic, (client, data) => this.follow(client, data.learner), { instructorOnly: true });
    hub.onDisconnect((client) => {
      this.unwatch(client.learner.id, pageKey(client));
      this.follow(client, null);
    });
  }

  private follow(client: LiveClient, learner: string | null): void {
    const previous = this.followed.get(client.id);
    if (previous === learner) return;
    // The page's own cluster stays watched if the page watches it for itself.
    if (previous !== undefined && previous !== client.learner.id) this.unwatch(previous, pageKey(client));
    this.followed.delete(client.id);
    if (learner === null) return;
    this.followed.set(client.id, learner);
    this.watch(learner, pageKey(client));
  }

  /** `key` watches `cluster`: its map is read and pushed; the current state is sent at once. */
  watch(cluster: string, key: string): void {
    let w = this.clusters.get(cluster);
    if (!w) {
      const watch = new ClusterWatch(this.driver, cluster, (state) => this.publish(cluster, state), () => this.eventListeners.forEach((l) => l(cluster)), this.options);
      w = { watch, watchers: new Set() };
      this.clusters.set(cluster, w);
    }
    w.watchers.add(key);
    const current = w.watch.current;
    if (current) this.sendTo(cluster, key, current);
  }

  unwatch(cluster: string, key: string): void {
    const w = this.clusters.get(cluster);
    if (!w || !w.watchers.delete(key)) return;
    if (w.watchers.size === 0) {
      w.watch.stop();
      this.clusters.delete(cluster);
    }
  }

  /** Whether someone watches `cluster` now. */
  watched(cluster: string): boolean {
    return this.clusters.has(cluster);
  }

  /** The last state read of a watched cluster. */
  current(cluster: string): ClusterMapState | null {
    return this.clusters.get(cluster)?.watch.current ?? null;
  }

  /** A command returned in one of the cluster's terminals: read it again soon. */
  poke(cluster: string): void {
    this.clusters.get(cluster)?.watch.poke();
  }

  /** Swarm events of a watched cluster. */
  onEvent(listener: (cluster: string) => void): void {
    this.eventListeners.push(listener);
  }

  /** Every new state of a watched cluster (the cockpit, the recorder of replays). */
  onState(listener: (cluster: string, state: ClusterMapState) => void): void {
    this.stateListeners.push(listener);
  }

  /** Events received and reads done over every watched cluster (the bench reads them). */
  stats(): { clusters: number; events: number; reads: number } {
    let events = 0;
    let reads = 0;
    for (const { watch } of this.clusters.values()) {
      events += watch.eventCount;
      reads += watch.readCount;
    }
    return { clusters: this.clusters.size, events, reads };
  }

  close(): void {
    for (const { watch } of this.clusters.values()) watch.stop();
    this.clusters.clear();
  }

  private publish(cluster: string, state: ClusterMapState): void {
    const w = this.clusters.get(cluster);
    if (!w) return;
    for (const key of w.watchers) this.sendTo(cluster, key, state);
    for (const l of this.stateListeners) l(cluster, state);
  }

  private sendTo(cluster: string, key: string, state: ClusterMapState): void {
    const client = this.hub.pages((c) => pageKey(c) === key)[0];
    client?.send(clusterMapTopic, { cluster, state });
  }
}

/** The key of a page among a cluster's watchers (the cockpit watches other clusters with it). */
export function pageKey(client: LiveClient): string {
  return `page:${client.id}`;
}
