import type Docker from 'dockerode';
import { findManager, listSwarmNodes } from './swarm';
import type { ClusterStatus, NodeRole, NodeStatus } from './types';

/**
 * Completes a driver's view of its machines with the swarm's view, asked of the first manager
 * that answers: role, availability, leader, labels and running tasks per node.
 */
export async function swarmStatus(
  base: ClusterStatus,
  client: (node: string) => Promise<Docker>,
): Promise<ClusterStatus> {
  const { manager } = await findManager(base.nodes.filter((n) => n.reachable), client);
  if (!manager) return base;
  let swarmNodes;
  let tasks: Array<{ NodeID?: string; Status?: { State?: string } }>;
  try {
    swarmNodes = await listSwarmNodes(manager.docker);
    tasks = (await manager.docker.listTasks({ filters: { 'desired-state': ['running'] } })) as typeof tasks;
  } catch {
    return base;
  }
  const nodes: NodeStatus[] = base.nodes.map((n) => {
    const s = swarmNodes.find((x) => x.Description?.Hostname === n.name);
    if (!s) return n;
    return {
      ...n,
      swarm: {
        id: s.ID,
        hostname: s.Description?.Hostname ?? n.name,
        role: (s.Spec?.Role ?? 'worker') as NodeRole,
        availability: (s.Spec?.Availability ?? 'active') as 'active' | 'pause' | 'drain',
        state: s.Status?.State ?? 'unknown',
        leader: Boolean(s.ManagerStatus?.Leader),
        labels: s.Spec?.Labels ?? {},
        tasks: tasks.filter((t) => t.NodeID === s.ID && t.Status?.State === 'running').length,
      },
    };
  });
  return { ...base, nodes };
}
