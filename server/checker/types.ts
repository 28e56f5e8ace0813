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

/** Read-only access to one learner's cluster, resolved once per check run. */
export interface CheckContext {
  cluster: string;
  /** The Docker API of a manager that controls the swarm, or an error saying why there is none. */
  manager(): Promise<Docker>;
  /** The Docker API of a node's own engine (containers, volumes live there). */
  node(name: string): Promise<Docker>;
  exec(node: string, cmd: string[]): Promise<ExecResult>;
}

export class NoManagerError extends Error {}
