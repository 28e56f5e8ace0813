import { nodesOfShape } from '../src/shared/nodes';
import type { ClusterNode, ClusterShape, ClusterStatus, Driver } from './drivers/types';

/**
 * Creates clusters lazily and serialises every lifecycle operation of one cluster, so two
 * browser tabs (or the CLI and the server) never build the same cluster twice.
 */
export class ClusterManager {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly ready = new Map<string, string>();

  constructor(readonly driver: Driver) {}

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
      if (this.ready.get(cluster) === key) {
        // Cheap check that nobody (the CLI, a crash) removed it meanwhile.
        const nodes = await this.driver.nodes(cluster);
        if (nodes.length === nodesOfShape(shape).length) return nodes;
      }
      const nodes = await this.driver.up(cluster, shape);
      await this.driver.loadImages(cluster, images);
      this.ready.set(cluster, key);
      return nodes;
    });
  }

  reset(cluster: string, shape: ClusterShape, images: string[] = []): Promise<ClusterNode[]> {
    return this.serial(cluster, async () => {
      this.ready.delete(cluster);
      const nodes = await this.driver.reset(cluster, shape);
      await this.driver.loadImages(cluster, images);
      this.ready.set(cluster, readyKey(shape, images));
      return nodes;
    });
  }

  down(cluster: string): Promise<void> {
    return this.serial(cluster, async () => {
      this.ready.delete(cluster);
      await this.driver.down(cluster);
    });
  }

  /** Unplugs or plugs back a node's machine, in turn with the cluster's other operations. */
  power(cluster: string, node: string, state: 'on' | 'off'): Promise<void> {
    return this.serial(cluster, () => this.driver.power(cluster, node, state));
  }

  /** Runs `work` in turn with the cluster's other operations (fault injection, server/faults.ts). */
  exclusive<T>(cluster: string, work: () => Promise<T>): Promise<T> {
    return this.serial(cluster, work);
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
