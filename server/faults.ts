// Fault injection for the resilience chapter: stop or start a node, cut it off its cluster's
// network and plug it back, kill the current leader; on one cluster or on many (the room). Each
// action runs in turn with the cluster's other operations (server/clusters.ts) and ends in a
// French result per cluster (« coupé du réseau », « déjà arrêté »…), never in an exception for
// one learner that would hide the others' results.
import type { NodeAction } from '../src/shared/lab-contract';
import type { ClusterManager } from './clusters';
import { nodeFaultsOf, NodeUnavailableError, UnsupportedFaultError, type ClusterStatus, type Driver } from './drivers/types';

export const FAULT_ACTIONS = ['stop', 'start', 'isolate', 'reconnect', 'kill-leader'] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

export interface Fault {
  action: FaultAction;
  /** The node (every action but kill-leader). */
  node?: string;
}

export interface FaultResult {
  cluster: string;
  ok: boolean;
  /** The node acted on (for kill-leader: the leader that was stopped). */
  node?: string;
  /** The action changed something (false: it already was so, or it failed). */
  changed: boolean;
  message: string;
}

const DONE: Record<Exclude<FaultAction, 'kill-leader'>, [string, string]> = {
  stop: ['arrêté', 'déjà arrêté'],
  start: ['démarré', 'déjà démarré'],
  isolate: ['coupé du réseau', 'déjà coupé du réseau'],
  reconnect: ['reconnecté au réseau', 'déjà connecté au réseau'],
};

function nodeOf(status: ClusterStatus, node: string) {
  const found = status.nodes.find((n) => n.name === node);
  if (!found) throw new NodeUnavailableError(node, `ce nœud n’existe pas dans ce cluster (nœuds : ${status.nodes.map((n) => n.name).join(', ')})`);
  return found;
}

/**
 * A lab's node action (`action:` blocks of lab.yaml, run by the lab runner and the recorder):
 * power through the driver's NodePower, network cuts through its NodeFaults.
 */
export async function runNodeAction(driver: Driver, cluster: string, node: string, action: NodeAction): Promise<void> {
  if (action === 'stop' || action === 'start') return driver.power(cluster, node, action === 'stop' ? 'off' : 'on');
  const faults = nodeFaultsOf(driver);
  await (action === 'isolate' ? faults.isolate(cluster, node) : faults.reconnect(cluster, node));
}

/** Applies `fault` to one cluster, in turn with its other operations. */
export async function injectFault(clusters: ClusterManager, cluster: string, fault: Fault): Promise<FaultResult> {
  try {
    return await clusters.operate(cluster, () => apply(clusters, cluster, fault));
  } catch (error) {
    if (error instanceof UnsupportedFaultError) throw error;
    return { cluster, ok: false, node: fault.node, changed: false, message: (error as Error).message };
  }
}

/** Applies `fault` to every cluster of `targets`, in parallel; one result each, in that order. */
export function injectFaultInRoom(clusters: ClusterManager, targets: string[], fault: Fault): Promise<FaultResult[]> {
  if (fault.action === 'isolate' || fault.action === 'reconnect') nodeFaultsOf(clusters.driver);
  return Promise.all(targets.map((cluster) => injectFault(clusters, cluster, fault)));
}

async function apply(clusters: ClusterManager, cluster: string, fault: Fault): Promise<FaultResult> {
  const driver = clusters.driver;
  const status = await driver.status(cluster);
  if (!status.exists) return { cluster, ok: false, changed: false, node: fault.node, message: 'pas de cluster' };
  if (fault.action === 'kill-leader') {
    const leader = status.nodes.find((n) => n.swarm?.leader);
    if (!leader) return { cluster, ok: false, changed: false, message: 'aucun leader joignable : le swarm n’a pas de leader en ce moment' };
    await driver.power(cluster, leader.name, 'off');
    return { cluster, ok: true, changed: true, node: leader.name, message: `leader ${leader.name} arrêté` };
  }
  const name = fault.node;
  if (!name) throw new Error(`l’action « ${fault.action} » demande un nœud`);
  const node = nodeOf(status, name);
  let changed: boolean;
  switch (fault.action) {
    case 'stop':
    case 'start': {
      const on = fault.action === 'start';
      changed = node.reachable !== on;
      if (changed) await driver.power(cluster, name, on ? 'on' : 'off');
      break;
    }
    case 'isolate':
      changed = await nodeFaultsOf(driver).isolate(cluster, name);
      break;
    case 'reconnect':
      changed = await nodeFaultsOf(driver).reconnect(cluster, name);
      break;
  }
  const [done, already] = DONE[fault.action];
  return { cluster, ok: true, changed, node: name, message: `${name} ${changed ? done : already}` };
}
