import type Docker from 'dockerode';
import type { ClusterStatus, NodeRole, NodeStatus } from './types';

/**
 * Completes a driver's view of its machines with the swarm's view, asked of the first manager
 * that answers: role, availability, leader, labels and running tasks per node.
 */
export async function swarmStatus(
  base: ClusterStatus,
  client: (node: string) => Promise<Docker>,
): Promise<ClusterStatus> {
  const candidates = base.nodes.filter((n) => n.reachable);
  for (const candidate of candidates) {
    let docker: Docker;
    let swarmNodes: Docker.Node[];
    try {
      docker = await client(candidate.name);
      const info = (await docker.info()) as { Swarm?: { ControlAvailable?: boolean } };
      if (!info.Swarm?.ControlAvailable) continue;
      swarmNodes = (await docker.listNodes()) as unknown as Docker.Node[];
    } catch {
      continue;
    }
    const tasks = (await docker.listTasks({ filters: { 'desired-state': ['running'] } })) as Array<{ NodeID?: string; Status?: { State?: string } }>;
    const nodes: NodeStatus[] = base.nodes.map((n) => {
      const s = (swarmNodes as unknown as SwarmNode[]).find((x) => x.Description?.Hostname === n.name);
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
  return base;
}

interface SwarmNode {
  ID: string;
  Description?: { Hostname?: string };
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> };
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean };
}
