import type Docker from 'dockerode';
import type { NamedNode, NodeRole } from '../../src/shared/nodes';

export type { NodeRole } from '../../src/shared/nodes';

/** The backend the server is asked for (`--driver`, DEC_DRIVER). */
export type DriverChoice = 'auto' | 'dind' | 'local' | 'ssh' | 'vagrant' | 'none';

/** A command line for node-pty (same shape as the terminal gateway's). */
export interface ShellSpec {
  file: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** The shape of a cluster a lab asks for. */
export interface ClusterShape {
  managers: number;
  workers: number;
  /** `ready`: swarm initialised and every node joined; `bare`: engines only (the init lab). */
  swarm: 'ready' | 'bare';
  /** Node labels set once the swarm is ready, by node name. */
  labels?: Record<string, Record<string, string>>;
}

export const DEFAULT_SHAPE: ClusterShape = { managers: 1, workers: 2, swarm: 'ready' };

export interface ClusterNode extends NamedNode {
  /** What the machine does, when the driver knows at no extra cost (a paused container is not stopped). */
  machine?: 'running' | 'stopped' | 'paused';
}

export interface NodeStatus extends ClusterNode {
  /** The machine (container, VM) answers. */
  reachable: boolean;
  /** Swarm view, when the node is part of a swarm and a manager answers. */
  swarm?: {
    id: string;
    hostname: string;
    role: NodeRole;
    availability: 'active' | 'pause' | 'drain';
    state: string;
    leader: boolean;
    labels: Record<string, string>;
    tasks: number;
  };
}

export interface ClusterStatus {
  cluster: string;
  driver: string;
  exists: boolean;
  shape?: ClusterShape;
  nodes: NodeStatus[];
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A driver is the only code that knows how a node is reached (docker exec, ssh…). Terminals and
 * the checker ask it; they never build `docker` or `ssh` command lines. Its three faces are
 * separate interfaces, so each consumer depends on the part it uses: the cluster manager on the
 * lifecycle, terminals and the checker on node access, the failure labs on power.
 */
export interface ClusterLifecycle {
  readonly kind: 'dind' | 'local' | 'ssh';
  /** What this driver can run, checked before a lab starts. */
  readonly maxNodes: number;
  /** Creates the cluster, or returns the existing one if it is complete. Never leaves half a cluster. */
  up(cluster: string, shape: ClusterShape): Promise<ClusterNode[]>;
  /** Removes everything the cluster owns. Safe to call on a cluster that does not exist. */
  down(cluster: string): Promise<void>;
  /** A fresh cluster of that shape. */
  reset(cluster: string, shape: ClusterShape): Promise<ClusterNode[]>;
  status(cluster: string): Promise<ClusterStatus>;
  /** Complete clusters this driver finds (after a server restart); removes half-built ones. */
  adopt(): Promise<string[]>;
  /** Makes host images available in every node's engine (no registry pulls). */
  loadImages(cluster: string, images: string[]): Promise<void>;
}

export interface NodeAccess {
  /** The nodes the cluster has now (empty when it does not exist). */
  nodes(cluster: string): Promise<ClusterNode[]>;
  /** The command node-pty runs to open a login shell on a node, or to run `command` in a terminal there. */
  shell(cluster: string, node: string, command?: string): Promise<ShellSpec>;
  /** A Docker API client talking to that node's engine. */
  docker(cluster: string, node: string): Promise<Docker>;
  exec(cluster: string, node: string, cmd: string[], input?: string): Promise<ExecResult>;
}

export interface NodePower {
  /** Pulls the plug of a node's machine (`off`) or plugs it back (`on`): the failure labs. */
  power(cluster: string, node: string, state: 'on' | 'off'): Promise<void>;
}

/** Figures for the instructor's cockpit, where a driver can give them cheaply. */
export interface NodeStats {
  /** Memory the cluster's nodes use now, in bytes. */
  memoryBytes?(cluster: string): Promise<number>;
}

export interface Driver extends ClusterLifecycle, NodeAccess, NodePower, NodeStats {}

/**
 * Freezing an idle cluster (server/capacity/): its machines stop using the CPU and keep their
 * memory, and the swarm is exactly as it was after the thaw. Only drivers that can do it
 * implement it (DinD: server/drivers/dind-freeze.ts); the others never freeze. A frozen state
 * is kept on disk, so a restarted server finds it again.
 */
export interface ClusterFreezer {
  /** Phase 1: the swarm is told not to expect heartbeats for a long while; returns how long to wait before `freeze`. */
  prepare(cluster: string): Promise<number>;
  /** Phase 2: every running machine of the cluster is suspended. */
  freeze(cluster: string): Promise<void>;
  /**
   * Machines resumed, then the swarm's own heartbeat restored. Safe on a cluster that is not
   * frozen. True when the nodes must then `renew` their sessions.
   */
  thaw(cluster: string): Promise<boolean>;
  /**
   * After a thaw: every node's session with the swarm renewed, so it beats under the restored
   * period (until then a failure of it would be noticed late). The room runs it in turn with the
   * cluster's operations, right after the action that thawed it and before any other.
   */
  renew(cluster: string): Promise<void>;
  /** Whether the cluster is frozen, being frozen (prepared), or has a machine suspended. */
  frozen(cluster: string): Promise<boolean>;
  /** Forgets the frozen state of a removed cluster. */
  forget(cluster: string): Promise<void>;
}

/**
 * Network faults for the resilience chapter: a node cut off its cluster's network and plugged
 * back with the same address and names (so the swarm recovers). Each returns false when the
 * node already was in that state. Only some drivers can do it: see `nodeFaultsOf`.
 */
export interface NodeFaults {
  isolate(cluster: string, node: string): Promise<boolean>;
  reconnect(cluster: string, node: string): Promise<boolean>;
}

/** The driver's network faults, or an UnsupportedFaultError saying in French why there are none. */
export function nodeFaultsOf(driver: Driver): NodeFaults {
  const faults = driver as Driver & Partial<NodeFaults>;
  if (typeof faults.isolate === 'function' && typeof faults.reconnect === 'function') return faults as Driver & NodeFaults;
  throw new UnsupportedFaultError(`couper un nœud du réseau n’est possible qu’avec les nœuds Docker-in-Docker (pilote « dind ») ; ce serveur utilise le pilote « ${driver.kind} »`);
}

/** What this driver cannot do (answered 501). */
export class UnsupportedFaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedFaultError';
  }
}

/** The node does not exist or does not answer: reported to learners in French. */
export class NodeUnavailableError extends Error {
  constructor(
    readonly node: string,
    detail: string,
  ) {
    super(`Le nœud ${node} ne répond pas : ${detail}`);
    this.name = 'NodeUnavailableError';
  }
}

/** The driver cannot give what a lab asks for (e.g. three nodes on the local driver). */
export class UnsupportedShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedShapeError';
  }
}

/** Cluster ids become container and network names: keep them short and safe. */
export function validateClusterId(id: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(id)) {
    throw new Error(`identifiant de cluster invalide « ${id} » (minuscules, chiffres et tirets, 32 caractères au plus)`);
  }
  return id;
}
