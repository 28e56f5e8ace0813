import type Docker from 'dockerode';
import { nodesOfShape } from '../../src/shared/nodes';
import type { DindDriver } from './dind';
import { chooseEngine, engineAlive, engineLoad, type PoolEngine } from './engine-pool';
import { removeClusterObjects } from './dind-objects';
import { copyImages } from './image-copy';
import { LABEL, clusterFilter } from './labels';
import { OUR_REGISTRY_IMAGE, registryRef } from './lab-registry';
import { NodeUnavailableError, type ClusterNode, type ClusterShape, type ClusterStatus, type Driver, type ExecResult, type NodeFaults, type ShellSpec } from './types';

/** The engine that held a learner's cluster stopped answering: said once, then a new cluster is built elsewhere. */
export class EngineLostError extends NodeUnavailableError {
  constructor(
    node: string,
    readonly engine: string,
  ) {
    super(node, '');
    this.message = 'Le moteur Docker qui hébergeait votre cluster ne répond plus : un nouveau cluster va être créé sur un autre hôte (à votre prochaine action).';
    this.name = 'EngineLostError';
  }
}

/** One engine of the pool and the Docker-in-Docker driver that builds clusters on it. */
export interface PoolSlot extends PoolEngine {
  readonly driver: DindDriver;
}

export interface DindPoolOptions {
  /** The engines, in the order the instructor gave them; the first one is the images' source. */
  slots: PoolSlot[];
  /** The data folder's label (`org.docker-en-cluster.home`): this server's clusters only. */
  home: string;
  /** The node image, copied to an engine that lacks it. */
  nodeImage: string;
}

/** The variables a docker CLI would otherwise take from the server's environment. */
const CLI_TARGET_VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'];

/**
 * Docker-in-Docker over several engines: a new cluster goes on the least loaded engine that
 * answers, and every call about a cluster goes to the engine that holds it. Which engine that is
 * comes from the engines' own objects (the cluster's labels), looked up once and remembered in
 * memory only: nothing on disk can go stale. An engine that stops answering is left out of
 * placement until a ping (with backoff) answers again; its learners get an EngineLostError once,
 * and their next action builds a fresh cluster elsewhere. When it comes back, the clusters it
 * still holds that were rebuilt elsewhere are removed from it.
 */
export class DindPoolDriver implements Driver, NodeFaults {
  readonly kind = 'dind' as const;
  readonly maxNodes: number;
  private readonly located = new Map<string, PoolSlot>();
  /** Nodes of clusters placed on an engine and still being built (not all on the engine yet). */
  private readonly building = new Map<PoolSlot, number>();
  private placing: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: DindPoolOptions) {
    if (opts.slots.length === 0) throw new Error('aucun moteur Docker pour les clusters');
    this.maxNodes = Math.min(...opts.slots.map((s) => s.driver.maxNodes));
  }

  get engines(): readonly PoolSlot[] {
    return this.opts.slots;
  }

  /** The engine that holds the cluster now (its id), or undefined. */
  async engineOf(cluster: string): Promise<string | undefined> {
    return (await this.slotOf(cluster))?.target.id;
  }

  /**
   * The engine holding the cluster and its own DinD driver, for features that work on one
   * engine's objects (events of a cluster, freezing its containers); EngineLostError as above.
   */
  slotOf(cluster: string): Promise<PoolSlot | undefined> {
    return this.locate(cluster);
  }

  async up(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    // A cluster whose engine stopped answering: said once (EngineLostError), built elsewhere on the next call.
    let slot = await this.locate(cluster);
    const placed = !slot;
    const nodes = nodesOfShape(shape).length;
    if (!slot) {
      slot = await this.place(nodes);
      this.located.set(cluster, slot);
    }
    const chosen = slot;
    try {
      await this.guard(chosen, cluster, 'manager1', () => copyImages(this.source.docker, chosen.docker, [this.opts.nodeImage, OUR_REGISTRY_IMAGE]));
      return await this.guard(chosen, cluster, 'manager1', () => chosen.driver.up(cluster, shape));
    } finally {
      if (placed) this.building.set(chosen, (this.building.get(chosen) ?? nodes) - nodes);
    }
  }

  async down(cluster: string): Promise<void> {
    this.located.delete(cluster);
    // Wherever it is: an engine that does not answer is cleaned when it comes back.
    await Promise.all(
      (await this.aliveSlots()).map(async (slot) => {
        if ((await this.containersOn(slot, cluster)).length > 0) await slot.driver.down(cluster);
      }),
    );
  }

  async reset(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    await this.down(cluster);
    return this.up(cluster, shape);
  }

  async status(cluster: string): Promise<ClusterStatus> {
    const slot = await this.locate(cluster);
    if (!slot) return { cluster, driver: this.kind, exists: false, nodes: [] };
    return this.guard(slot, cluster, 'manager1', () => slot.driver.status(cluster));
  }

  /** Memory of the cluster's nodes, from the engine that holds it (the cockpit). */
  async memoryBytes(cluster: string): Promise<number> {
    const slot = await this.locate(cluster);
    return slot ? slot.driver.memoryBytes(cluster) : 0;
  }

  async adopt(): Promise<string[]> {
    const adopted = new Set<string>();
    for (const slot of await this.aliveSlots()) {
      for (const cluster of await slot.driver.adopt()) adopted.add(cluster);
    }
    // One engine per cluster: a cluster found twice (rebuilt while an engine was away) keeps its newest copy.
    for (const cluster of adopted) await this.locate(cluster);
    return [...adopted].sort();
  }

  async loadImages(cluster: string, images: string[]): Promise<void> {
    const slot = await this.required(cluster, 'registry');
    await this.guard(slot, cluster, 'registry', async () => {
      if (slot !== this.source) await copyImages(this.source.docker, slot.docker, images.map((i) => registryRef(i).source));
      await slot.driver.loadImages(cluster, images);
    });
  }

  async nodes(cluster: string): Promise<ClusterNode[]> {
    const slot = await this.locate(cluster);
    if (!slot) return [];
    const nodes = await this.guard(slot, cluster, 'manager1', () => slot.driver.nodes(cluster));
    if (nodes.length > 0) return nodes;
    // Removed from its engine behind this server's back (the lab CLI, by hand): look again everywhere.
    this.located.delete(cluster);
    const again = await this.locate(cluster);
    return again ? again.driver.nodes(cluster) : [];
  }

  async shell(cluster: string, node: string, command?: string): Promise<ShellSpec> {
    const slot = await this.required(cluster, node);
    const spec = await this.guard(slot, cluster, node, () => slot.driver.shell(cluster, node, command));
    // The pty's `docker exec` talks to the cluster's engine, whatever the server's own DOCKER_HOST.
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...spec.env })) if (v !== undefined && !CLI_TARGET_VARS.includes(k)) env[k] = v;
    return { ...spec, env: { ...env, ...slot.target.cliEnv } };
  }

  async docker(cluster: string, node: string): Promise<Docker> {
    const slot = await this.required(cluster, node);
    return slot.driver.docker(cluster, node);
  }

  async exec(cluster: string, node: string, cmd: string[], input?: string): Promise<ExecResult> {
    const slot = await this.required(cluster, node);
    return this.guard(slot, cluster, node, () => slot.driver.exec(cluster, node, cmd, input));
  }

  async power(cluster: string, node: string, state: 'on' | 'off'): Promise<void> {
    const slot = await this.required(cluster, node);
    await this.guard(slot, cluster, node, () => slot.driver.power(cluster, node, state));
  }

  /** Network cuts (server/drivers/dind-faults.ts) on the engine that holds the cluster. */
  async isolate(cluster: string, node: string): Promise<boolean> {
    const slot = await this.required(cluster, node);
    return this.guard(slot, cluster, node, () => slot.driver.isolate(cluster, node));
  }

  async reconnect(cluster: string, node: string): Promise<boolean> {
    const slot = await this.required(cluster, node);
    return this.guard(slot, cluster, node, () => slot.driver.reconnect(cluster, node));
  }

  /** Whether every engine's nodes can be privileged (for the server's start-up line). */
  async privilegedWorks(): Promise<boolean> {
    const answers = await Promise.all((await this.aliveSlots()).map((s) => s.driver.privilegedWorks()));
    return answers.every(Boolean);
  }

  private get source(): PoolSlot {
    return this.opts.slots[0]!;
  }

  private async aliveSlots(): Promise<PoolSlot[]> {
    const alive = await Promise.all(this.opts.slots.map((s) => engineAlive(s, (e) => void this.recovered(e as PoolSlot))));
    return this.opts.slots.filter((_, i) => alive[i]);
  }

  /**
   * Reserves room for a new cluster of `nodes` nodes on the least loaded engine. One placement
   * at a time, and clusters being built count on their engine: learners arriving together
   * spread over the engines.
   */
  private place(nodes: number): Promise<PoolSlot> {
    const next = this.placing.then(async () => {
      const slot = await this.leastLoaded();
      this.building.set(slot, (this.building.get(slot) ?? 0) + nodes);
      return slot;
    });
    this.placing = next.catch(() => undefined);
    return next;
  }

  /** The least loaded engine that answers. */
  private async leastLoaded(): Promise<PoolSlot> {
    const alive = await this.aliveSlots();
    const loads = await Promise.all(
      alive.map(async (s) => {
        const load = await engineLoad(s.docker, this.opts.home).catch(() => undefined);
        return load && { ...load, nodes: load.nodes + (this.building.get(s) ?? 0) };
      }),
    );
    const index = chooseEngine(loads);
    if (index === undefined) {
      throw new Error(`aucun moteur Docker ne répond (${this.opts.slots.map((s) => s.target.id).join(', ')}) : les clusters ne peuvent pas être créés`);
    }
    return alive[index]!;
  }

  /** The node containers of a cluster of this server on one engine. */
  private async containersOn(slot: PoolSlot, cluster: string): Promise<Docker.ContainerInfo[]> {
    const containers = await slot.docker.listContainers({ all: true, filters: clusterFilter(cluster, this.opts.home) });
    return containers.filter((c) => c.Labels[LABEL.node]);
  }

  /**
   * The engine holding the cluster: remembered, or found by its labels on the engines that
   * answer (the newest copy wins; older copies are removed). An EngineLostError when the
   * remembered engine stopped answering (said once: the cluster is then forgotten).
   */
  private async locate(cluster: string): Promise<PoolSlot | undefined> {
    const known = this.located.get(cluster);
    if (known) {
      if (await engineAlive(known, (e) => void this.recovered(e as PoolSlot))) return known;
      this.located.delete(cluster);
      throw new EngineLostError('manager1', known.target.id);
    }
    const found: { slot: PoolSlot; created: number }[] = [];
    for (const slot of await this.aliveSlots()) {
      const containers = await this.containersOn(slot, cluster).catch(() => []);
      if (containers.length > 0) found.push({ slot, created: Math.max(...containers.map((c) => c.Created)) });
    }
    found.sort((a, b) => b.created - a.created);
    const [newest, ...older] = found;
    for (const { slot } of older) await this.removeCopy(slot, cluster);
    if (newest) this.located.set(cluster, newest.slot);
    return newest?.slot;
  }

  private async required(cluster: string, node: string): Promise<PoolSlot> {
    const slot = await this.locate(cluster).catch((error: unknown) => {
      if (error instanceof EngineLostError) throw new EngineLostError(node, error.engine);
      throw error;
    });
    if (!slot) throw new NodeUnavailableError(node, 'ce nœud n’existe pas dans votre cluster');
    return slot;
  }

  /** Runs a call on a cluster's engine; when it fails because the engine is gone, says so. */
  private async guard<T>(slot: PoolSlot, cluster: string, node: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof EngineLostError || (await engineAlive(slot, (e) => void this.recovered(e as PoolSlot), true))) throw error;
      if (this.located.get(cluster) === slot) this.located.delete(cluster);
      throw new EngineLostError(node || 'manager1', slot.target.id);
    }
  }

  /**
   * Removes an outdated copy of a cluster from one engine: its Docker objects only, never the
   * cluster's folder of the data folder (marker, sockets), which belongs to the live copy.
   */
  private async removeCopy(slot: PoolSlot, cluster: string): Promise<void> {
    await removeClusterObjects(slot.docker, cluster, this.opts.home);
  }

  /** An engine answers again: the clusters it still holds that live elsewhere now are removed from it. */
  private async recovered(slot: PoolSlot): Promise<void> {
    try {
      const containers = await slot.docker.listContainers({ all: true, filters: clusterFilter(undefined, this.opts.home) });
      const clusters = new Set(containers.map((c) => c.Labels[LABEL.cluster]).filter((c): c is string => Boolean(c)));
      for (const cluster of clusters) {
        const owner = this.located.get(cluster);
        if (owner && owner !== slot) await this.removeCopy(slot, cluster);
      }
    } catch (error) {
      console.warn(`moteur Docker ${slot.target.id} : nettoyage au retour impossible (${(error as Error).message})`);
    }
  }
}
