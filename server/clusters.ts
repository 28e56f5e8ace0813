import { nodesOfShape } from '../src/shared/nodes';
import type { ClusterNode, ClusterShape, ClusterStatus, Driver } from './drivers/types';

/**
 * What the room's capacity (server/capacity/room.ts) does around the lifecycle, inside the
 * cluster's lock: thaw a frozen cluster before anything touches it, admit (or queue) a cluster
 * about to be created, hand over a pre-warmed one, and free its slot when it is removed.
 */
export interface ClusterHooks {
  /** Before every operation on the cluster (a frozen cluster is thawed here). */
  before(cluster: string): Promise<void>;
  /** Before a cluster is created or recreated: throws (QueueFullError) when the room is full. */
  admit(cluster: string): Promise<void>;
  /** True once for a cluster just handed over from the pool: a reset may keep it as it is. */
  takeFresh(cluster: string): boolean;
  /** After the cluster was removed, or its creation failed (it is gone then too). */
  removed(cluster: string): void;
}

/**
 * Creates clusters lazily and serialises every lifecycle operation of one cluster, so two
 * browser tabs (or the CLI and the server) never build the same cluster twice.
 */
export class ClusterManager {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly ready = new Map<string, string>();

  constructor(
    readonly driver: Driver,
    private readonly hooks?: ClusterHooks,
  ) {}

  /** Runs `work` in turn with the cluster's other operations (freeze and thaw use it). */
  exclusive<T>(cluster: string, work: () => Promise<T>): Promise<T> {
    return this.serial(cluster, work);
  }

  /** A creation, admitted first; a failed one frees its slot (the driver removed what it built). */
  private async build(cluster: string, work: () => Promise<ClusterNode[]>): Promise<ClusterNode[]> {
    await this.hooks?.admit(cluster);
    try {
      return await work();
    } catch (error) {
      this.hooks?.removed(cluster);
      throw error;
    }
  }

  private serial<T>(cluster: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(cluster) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(cluster, settled);
    void settled.then(() => {
      if (this.locks.get(cluster) === settled) this.locks.delete(cluster);
    });
    return next;
  }

  /** The cluster exists with that shape and those images loaded (created on first use). */
  ensure(cluster: string, shape: ClusterShape, images: string[] = []): Promise<ClusterNode[]> {
    const key = readyKey(shape, images);
    return this.serial(cluster, async () => {
      await this.hooks?.before(cluster);
      if (this.ready.get(cluster) === key) {
        // Cheap check that nobody (the CLI, a crash) removed it meanwhile.
        const nodes = await this.driver.nodes(cluster);
        if (nodes.length === nodesOfShape(shape).length) return nodes;
      }
      const nodes = await this.build(cluster, () => this.driver.up(cluster, shape));
      await this.driver.loadImages(cluster, images);
      this.ready.set(cluster, key);
      return nodes;
    });
  }

  reset(cluster: string, shape: ClusterShape, images: string[] = []): Promise<ClusterNode[]> {
    return this.serial(cluster, async () => {
      await this.hooks?.before(cluster);
      this.ready.delete(cluster);
      // A pre-warmed cluster just handed over is as fresh as a reset would make it.
      const nodes = await this.build(cluster, () => (this.hooks?.takeFresh(cluster) ? this.driver.up(cluster, shape) : this.driver.reset(cluster, shape)));
      await this.driver.loadImages(cluster, images);
      this.ready.set(cluster, readyKey(shape, images));
      return nodes;
    });
  }

  down(cluster: string): Promise<void> {
    return this.serial(cluster, async () => {
      // No thaw first: a paused container is removed as it is.
      this.ready.delete(cluster);
      await this.driver.down(cluster);
      this.hooks?.removed(cluster);
    });
  }

  /** Unplugs or plugs back a node's machine, in turn with the cluster's other operations. */
  power(cluster: string, node: string, state: 'on' | 'off'): Promise<void> {
    return this.operate(cluster, () => this.driver.power(cluster, node, state));
  }

  /** Runs `work` in turn with the cluster's other operations, a frozen cluster thawed first (fault injection). */
  operate<T>(cluster: string, work: () => Promise<T>): Promise<T> {
    return this.serial(cluster, async () => {
      await this.hooks?.before(cluster);
      return work();
    });
  }

  status(cluster: string): Promise<ClusterStatus> {
    return this.driver.status(cluster);
  }

  /** After a restart: keep complete clusters, remove half-built ones. */
  adopt(): Promise<string[]> {
    return this.driver.adopt();
  }
}

/** What a ready cluster holds: its shape and the images loaded into its nodes. */
function readyKey(shape: ClusterShape, images: string[]): string {
  return JSON.stringify([shape, [...images].sort()]);
}
