import type Docker from 'dockerode';
import type { ExecResult } from '../drivers/types';

/** What one evaluation of a condition saw, in French. */
export interface Observation {
  ok: boolean;
  /** What the cluster shows now. */
  observed: string;
  /** What the condition wants. */
  expected: string;
  /** Convergence in progress, e.g. « 2/3 tâches en cours ». */
  progress?: string;
}

export interface ListOptions {
  filters?: Record<string, string[]>;
}

/**
 * The part of one engine's Docker API the checks read, read-only. dockerode's client fits it
 * as it is; recorded fixtures (server/checker/fixtures/) implement it with no engine at all.
 */
export interface EngineApi {
  info(): Promise<unknown>;
  listNodes(): Promise<unknown[]>;
  listServices(options?: ListOptions): Promise<unknown[]>;
  listTasks(options?: ListOptions): Promise<unknown[]>;
  listSecrets(): Promise<unknown[]>;
  listConfigs(): Promise<unknown[]>;
  listNetworks(): Promise<Docker.NetworkInspectInfo[]>;
  listVolumes(): Promise<{ Volumes: Docker.VolumeInspectInfo[] | null }>;
  getContainer(id: string): { inspect(): Promise<Docker.ContainerInspectInfo> };
}

/** Read-only access to one learner's cluster, resolved once per check run. */
export interface CheckContext {
  cluster: string;
  /** The Docker API of a manager that controls the swarm, or an error saying why there is none. */
  manager(): Promise<EngineApi>;
  /** The Docker API of a node's own engine (containers, volumes live there). */
  node(name: string): Promise<EngineApi>;
  /** A command on a node (the `exec` check). */
  exec(node: string, cmd: string[]): Promise<ExecResult>;
  /** A command inside a container of a node (reading a secret, resolving a name from a task). */
  execInContainer(node: string, container: string, cmd: string[]): Promise<ExecResult>;
}

export class NoManagerError extends Error {}
