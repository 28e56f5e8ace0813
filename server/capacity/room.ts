import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { systemClock } from '../../src/shared/poll';
import { nodesOfShape } from '../../src/shared/nodes';
import { ClusterManager, type ClusterHooks } from '../clusters';
import { freezerFor } from '../drivers/dind-freeze';
import { DEFAULT_SHAPE, type ClusterFreezer, type ClusterShape, type Driver } from '../drivers/types';
import { JsonRecord } from '../json-record';
import { AssignedDriver, Assignments, capacityDir } from './assignments';
import { AdmissionQueue, frozenHeartbeatMs, idleAction, QueueFullError, type IdleRules } from './policy';

/** Pre-warmed clusters are built under ids of their own, handed over by a mapping. */
export const POOL_PREFIX = 'pool-';

export interface RoomOptions {
  /** Concurrent learner clusters (the instructor's is never counted out). */
  limit: number;
  /** Clusters of `poolShape` built ahead, handed to new learners. */
  prewarm: number;
  poolShape?: ClusterShape;
  rules: IdleRules;
  /** Where the assignments, frozen states and reclaim notices live. */
  dataDir: string;
  /** Never queued, frozen nor reclaimed (the instructor). */
  isPriority(cluster: string): boolean;
  log(line: string): void;
  /** Seconds the lab UI waits before asking again (default 5). */
  retryAfterS?: number;
  /** How often idle clusters are looked at (default: a tenth of the freeze delay, 1 to 30 s). */
  tickMs?: number;
  now?: () => number;
}

/** What the room needs from the rest of the server, given once the gateway exists. */
export interface RoomPeers {
  /** A browser shows one of the learner's terminals. */
  connected(cluster: string): boolean;
  /** The cluster is about to be removed for inactivity: end its shells, make the next start rebuild the lab's setup. */
  reclaimed(cluster: string): Promise<void>;
}

/**
 * The room's capacity around the cluster manager: a limit and a first-come, first-served line
 * (pure rules in policy.ts), pre-warmed clusters handed over without being rebuilt, idle
 * clusters frozen and thawed before the next action, and clusters of learners who left
 * removed (their progress stays; the next start rebuilds the lab's setup and says so).
 */
export class RoomCapacity implements ClusterHooks {
  readonly clusters: ClusterManager;
  readonly queue: AdmissionQueue;
  private readonly now: () => number;
  private readonly lastActive = new Map<string, number>();
  /** Frozen (or being frozen) clusters: logical id → physical id. */
  private readonly frozenSet = new Map<string, string>();
  private readonly freezing = new Map<string, AbortController>();
  private readonly busy = new Set<string>();
  private readonly fresh = new Set<string>();
  private readonly pool: string[] = [];
  /** The pool cluster being built (one at a time), settled when it is ready or failed. */
  private poolBuild: Promise<void> | null = null;
  private readonly notices: JsonRecord;
  private peers: RoomPeers | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly opts: RoomOptions,
    readonly driver: AssignedDriver,
    private readonly freezer: ClusterFreezer | null,
  ) {
    this.now = opts.now ?? Date.now;
    this.clusters = new ClusterManager(driver, this);
    this.queue = new AdmissionQueue({ limit: opts.limit, now: this.now, staleMs: 6 * (opts.retryAfterS ?? 5) * 1000 });
    this.notices = new JsonRecord(path.join(capacityDir(opts.dataDir), 'reclaimed.json'));
  }

  /** Wraps the driver, adopts the clusters a previous run left (slots, pool, frozen states). */
  static async open(driver: Driver, opts: RoomOptions): Promise<RoomCapacity> {
    const assignments = new Assignments(opts.dataDir);
    const freezer = freezerFor(driver, path.join(capacityDir(opts.dataDir), 'frozen'), frozenHeartbeatMs(opts.rules));
    const room = new RoomCapacity(opts, new AssignedDriver(driver, assignments), freezer);
    for (const cluster of await room.clusters.adopt()) {
      if (opts.isPriority(cluster)) room.queue.admit(cluster, true);
      else room.queue.hold(cluster);
      room.lastActive.set(cluster, room.now());
      if (cluster.startsWith(POOL_PREFIX)) room.pool.push(cluster);
      const physical = assignments.resolve(cluster);
      // A cluster frozen by the previous run stays frozen; the next action thaws it.
      if (freezer && (await freezer.frozen(physical))) room.frozenSet.set(cluster, physical);
    }
    return room;
  }

  /** Starts the idle watch and the pre-warming, once the gateway exists. */
  start(peers: RoomPeers): void {
    this.peers = peers;
    const freezeMs = this.opts.rules.freezeAfterMs || this.opts.rules.reclaimAfterMs || 60_000;
    const tick = this.opts.tickMs ?? Math.min(30_000, Math.max(1000, freezeMs / 10));
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
    this.refill();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const abort of this.freezing.values()) abort.abort();
  }

  /** Figures for the instructor and the bench. */
  stats(): { limit: number; used: number; waiting: number; pool: number; frozen: number } {
    return { limit: this.queue.limit, used: this.queue.used, waiting: this.queue.waiting().length, pool: this.pool.length, frozen: this.frozenSet.size };
  }

  isFrozen(cluster: string): boolean {
    return this.frozenSet.has(cluster);
  }

  // ------------------------------------------------------------------ activity

  /** A keystroke: counts as activity and thaws in the background (the paused shell reads it once resumed). */
  activity(cluster: string): void {
    void this.touch(cluster).catch((error: unknown) => this.opts.log(`dégel de ${cluster} impossible\u00a0: ${(error as Error).message}`));
  }

  /** An API call or a terminal connection: activity, and a frozen cluster is thawed before it returns. */
  async touch(cluster: string): Promise<void> {
    this.lastActive.set(cluster, this.now());
    this.freezing.get(cluster)?.abort();
    if (this.frozenSet.has(cluster)) await this.clusters.exclusive(cluster, () => this.before(cluster));
  }

  // ------------------------------------------------------------------ ClusterHooks (inside the cluster's lock)

  async before(cluster: string): Promise<void> {
    this.lastActive.set(cluster, this.now());
    const physical = this.frozenSet.get(cluster);
    if (physical === undefined || !this.freezer) return;
    const renew = await this.freezer.thaw(physical);
    this.frozenSet.delete(cluster);
    // Queued behind the action that thawed it (which holds the lock now): a fault, a reset or
    // a new freeze waits for the nodes' new sessions; a keystroke or a check does not.
    const freezer = this.freezer;
    if (renew) {
      void this.clusters
        .exclusive(cluster, () => freezer.renew(physical))
        .catch((error: unknown) => this.opts.log(`dégel de ${cluster} : sessions des nœuds non renouvelées (${(error as Error).message})`));
    }
  }

  async admit(cluster: string): Promise<void> {
    if (this.queue.holds(cluster)) return;
    if (cluster.startsWith(POOL_PREFIX)) return this.queue.hold(cluster);
    // A pool cluster being built counts as spare: the learner admitted on it waits for it.
    const building = this.poolBuild;
    const admission = this.queue.admit(cluster, this.opts.isPriority(cluster), this.pool.length + (building ? 1 : 0));
    if (!admission.admitted) throw new QueueFullError(admission.place, admission.waiting, this.opts.retryAfterS ?? 5);
    this.lastActive.set(cluster, this.now());
    if (this.pool.length === 0 && building) await building;
    const ready = this.pool.shift();
    if (ready) {
      this.driver.assignments.assign(cluster, ready);
      this.queue.release(ready);
      this.fresh.add(cluster);
      this.opts.log(`Cluster pré-chauffé ${ready} confié à ${cluster}.`);
      this.refill();
    }
  }

  takeFresh(cluster: string): boolean {
    return this.fresh.delete(cluster);
  }

  removed(cluster: string): void {
    this.queue.release(cluster);
    this.fresh.delete(cluster);
    const physical = this.frozenSet.get(cluster);
    this.frozenSet.delete(cluster);
    if (physical !== undefined) void this.freezer?.forget(physical);
    // A slot freed: the pool may grow again (never ahead of a waiting learner). Not after a
    // failed pool build: a host that cannot build would retry forever.
    if (!cluster.startsWith(POOL_PREFIX)) this.refill();
  }

  /** The French notice of a cluster rebuilt after a reclaim, given once (the next lab start). */
  takeNotice(cluster: string): string | undefined {
    if (!this.notices.delete(cluster)) return undefined;
    return `Votre cluster avait été libéré après une longue inactivité\u00a0: il a été recréé dans l’état de départ du TP. Votre progression est conservée.`;
  }

  // ------------------------------------------------------------------ idle clusters

  private tick(): void {
    if (this.stopped || !this.peers) return;
    const now = this.now();
    for (const [cluster, at] of this.lastActive) {
      if (this.busy.has(cluster) || this.freezing.has(cluster) || !this.queue.holds(cluster)) continue;
      if (this.opts.isPriority(cluster) || cluster.startsWith(POOL_PREFIX)) continue;
      const action = idleAction(this.opts.rules, {
        idleMs: now - at,
        frozen: this.frozenSet.has(cluster),
        connected: this.peers.connected(cluster),
        canFreeze: this.freezer !== null,
      });
      if (action === 'reclaim') this.guard(cluster, () => this.reclaim(cluster));
      else if (action === 'freeze') void this.freeze(cluster);
    }
  }

  private guard(cluster: string, work: () => Promise<void>): void {
    this.busy.add(cluster);
    work()
      .catch((error: unknown) => this.opts.log(`cluster ${cluster}\u00a0: ${(error as Error).message}`))
      .finally(() => this.busy.delete(cluster));
  }

  /** Heartbeat raised (locked), a wait no lock holds (activity aborts it), then the pause (locked). */
  async freeze(cluster: string): Promise<void> {
    const freezer = this.freezer;
    if (!freezer || this.freezing.has(cluster)) return;
    const abort = new AbortController();
    this.freezing.set(cluster, abort);
    const physical = this.driver.assignments.resolve(cluster);
    try {
      const wait = await this.clusters.exclusive(cluster, async () => {
        if (abort.signal.aborted) return -1;
        this.frozenSet.set(cluster, physical);
        return freezer.prepare(physical);
      });
      if (wait < 0) return;
      await systemClock.sleep(wait, abort.signal);
      await this.clusters.exclusive(cluster, async () => {
        if (abort.signal.aborted || !this.frozenSet.has(cluster)) return;
        await freezer.freeze(physical);
        this.opts.log(`Cluster ${cluster} gelé.`);
      });
    } catch (error) {
      this.opts.log(`gel de ${cluster} impossible\u00a0: ${(error as Error).message}`);
      await this.clusters.exclusive(cluster, () => this.before(cluster)).catch(() => undefined);
    } finally {
      this.freezing.delete(cluster);
      // Activity came during the wait: thaw what the first phase did.
      if (abort.signal.aborted && this.frozenSet.has(cluster) && !this.stopped) await this.clusters.exclusive(cluster, () => this.before(cluster)).catch(() => undefined);
    }
  }

  /** Removes a cluster whose learner left; their progress stays and the next start rebuilds the lab's setup. */
  async reclaim(cluster: string): Promise<void> {
    // Shells first: a shell that dies with its node asks for its cluster again (the gateway's
    // exit probe), which would rebuild the cluster just removed.
    await this.peers?.reclaimed(cluster);
    await this.clusters.down(cluster);
    this.lastActive.delete(cluster);
    this.notices.set(cluster, new Date(this.now()).toISOString());
    this.opts.log(`Cluster ${cluster} supprimé après inactivité (progression gardée).`);
  }

  // ------------------------------------------------------------------ pre-warming

  /** Builds pool clusters one at a time, within the limit and never ahead of a waiting learner. */
  private refill(): void {
    if (this.stopped || !this.peers || this.poolBuild) return;
    if (this.pool.length >= this.opts.prewarm || this.queue.used >= this.queue.limit || this.queue.waiting().length > 0) return;
    const id = `${POOL_PREFIX}${randomBytes(4).toString('hex')}`;
    const shape = this.opts.poolShape ?? DEFAULT_SHAPE;
    this.queue.hold(id);
    const started = this.now();
    this.poolBuild = this.clusters.ensure(id, shape).then(
      () => {
        this.poolBuild = null;
        this.pool.push(id);
        this.opts.log(`Pré-chauffage\u00a0: ${this.pool.length}/${this.opts.prewarm} clusters prêts (${nodesOfShape(shape).length} nœuds, ${((this.now() - started) / 1000).toFixed(0)} s).`);
        this.refill();
      },
      (error: unknown) => {
        this.poolBuild = null;
        this.queue.release(id);
        this.opts.log(`Pré-chauffage interrompu\u00a0: ${(error as Error).message}`);
      },
    );
  }

  /** The pool's clusters (not yet handed over). */
  pooled(): string[] {
    return [...this.pool];
  }
}
