import path from 'node:path';
import { JsonRecord } from '../json-record';
import { nodeFaultsOf, type ClusterNode, type ClusterShape, type ClusterStatus, type Driver, type ExecResult, type NodeFaults, type ShellSpec } from '../drivers/types';
import type Docker from 'dockerode';

/** The folder of the room's own files in the data folder. */
export function capacityDir(dataDir: string): string {
  return path.join(dataDir, 'capacity');
}

/**
 * Which physical cluster is a learner's. A pre-warmed cluster is built under its own id
 * (`pool-…`) and cannot be renamed (its objects carry that id in their labels, its nodes'
 * sockets are mounted from a folder of that name); handing it over records learner → cluster
 * in `capacity/assignments.json` of the data folder, so the mapping survives a restart and
 * the CLI (`--cluster <learner>`) reaches the same cluster.
 */
export class Assignments {
  private readonly record: JsonRecord;

  constructor(dataDir: string) {
    this.record = new JsonRecord(path.join(capacityDir(dataDir), 'assignments.json'));
  }

  /** The physical cluster of a logical id (itself when nothing was handed over). */
  resolve(cluster: string): string {
    return this.record.get(cluster) ?? cluster;
  }

  /** The logical id of a physical cluster (the learner it was handed to, or itself). */
  owner(physical: string): string {
    return this.record.entries().find(([, cluster]) => cluster === physical)?.[0] ?? physical;
  }

  assign(learner: string, physical: string): void {
    this.record.set(learner, physical);
  }

  forget(learner: string): void {
    this.record.delete(learner);
  }
}

/**
 * The driver as the rest of the server sees it: every call names the learner's id, and is
 * sent to the learner's physical cluster. Removing a handed-over cluster ends the mapping
 * (the learner's next cluster is built under their own id).
 */
export class AssignedDriver implements Driver {
  /** Network faults, only when the inner driver has them (see nodeFaultsOf). */
  readonly isolate?: (cluster: string, node: string) => Promise<boolean>;
  readonly reconnect?: (cluster: string, node: string) => Promise<boolean>;

  constructor(
    readonly inner: Driver,
    readonly assignments: Assignments,
  ) {
    const faults = inner as Driver & Partial<NodeFaults>;
    if (faults.isolate && faults.reconnect) {
      const { isolate, reconnect } = nodeFaultsOf(inner);
      this.isolate = (cluster, node) => isolate.call(inner, this.at(cluster), node);
      this.reconnect = (cluster, node) => reconnect.call(inner, this.at(cluster), node);
    }
  }

  get kind(): Driver['kind'] {
    return this.inner.kind;
  }
  get maxNodes(): number {
    return this.inner.maxNodes;
  }

  private at(cluster: string): string {
    return this.assignments.resolve(cluster);
  }

  up(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    return this.inner.up(this.at(cluster), shape);
  }
  async down(cluster: string): Promise<void> {
    await this.inner.down(this.at(cluster));
    this.assignments.forget(cluster);
  }
  reset(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    return this.inner.reset(this.at(cluster), shape);
  }
  async status(cluster: string): Promise<ClusterStatus> {
    return { ...(await this.inner.status(this.at(cluster))), cluster };
  }
  async adopt(): Promise<string[]> {
    return (await this.inner.adopt()).map((physical) => this.assignments.owner(physical));
  }
  loadImages(cluster: string, images: string[]): Promise<void> {
    return this.inner.loadImages(this.at(cluster), images);
  }
  nodes(cluster: string): Promise<ClusterNode[]> {
    return this.inner.nodes(this.at(cluster));
  }
  shell(cluster: string, node: string, command?: string): Promise<ShellSpec> {
    return this.inner.shell(this.at(cluster), node, command);
  }
  docker(cluster: string, node: string): Promise<Docker> {
    return this.inner.docker(this.at(cluster), node);
  }
  exec(cluster: string, node: string, cmd: string[], input?: string): Promise<ExecResult> {
    return this.inner.exec(this.at(cluster), node, cmd, input);
  }
  power(cluster: string, node: string, state: 'on' | 'off'): Promise<void> {
    return this.inner.power(this.at(cluster), node, state);
  }

  /** The cockpit's memory figure, when the inner driver can tell (it throws otherwise: no figure). */
  async memoryBytes(cluster: string): Promise<number> {
    if (!this.inner.memoryBytes) throw new Error(`le pilote ${this.inner.kind} ne mesure pas la mémoire`);
    return this.inner.memoryBytes(this.at(cluster));
  }
}
