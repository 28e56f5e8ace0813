import type Docker from 'dockerode';
import { byNodeOrder, type NamedNode, type NodeRole } from '../../src/shared/nodes';
import { waitFor } from './wait';

/**
 * Forming a swarm through the Docker API of its nodes, whatever reaches them (a socket, docker
 * exec, SSH): every driver that builds a swarm uses these, so init, join and labels are written once.
 */

/** A plain view of a Swarm node object (dockerode's types are loose). */
export interface SwarmNode {
  ID: string;
  Version?: { Index?: number };
  Description?: { Hostname?: string };
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> } & Record<string, unknown>;
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

/** What `docker info` says about the engine's swarm membership. */
export interface SwarmInfo {
  NodeID?: string;
  LocalNodeState?: string;
  ControlAvailable?: boolean;
  Cluster?: { ID?: string };
}

export async function swarmInfo(docker: Docker): Promise<SwarmInfo> {
  return ((await docker.info()) as { Swarm?: SwarmInfo }).Swarm ?? {};
}

export async function listSwarmNodes(docker: Docker): Promise<SwarmNode[]> {
  return (await docker.listNodes()) as unknown as SwarmNode[];
}

/** A node taking part in the swarm being formed, with a client of its engine. */
export interface SwarmMember extends NamedNode {
  docker: Docker;
  /** The address (or interface name) this node advertises to the others. */
  advertiseAddr: string;
}

export interface JoinTokens {
  swarmId: string;
  worker: string;
  manager: string;
}

export async function initSwarm(leader: Docker, advertiseAddr: string): Promise<void> {
  await leader.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: advertiseAddr });
}

export async function joinTokens(leader: Docker): Promise<JoinTokens> {
  const swarm = (await leader.swarmInspect()) as { ID: string; JoinTokens: { Worker: string; Manager: string } };
  return { swarmId: swarm.ID, worker: swarm.JoinTokens.Worker, manager: swarm.JoinTokens.Manager };
}

/** The `host:port` other nodes join: what the leader itself advertises (the advertised name may be an interface). */
export async function managerAddress(leader: Docker): Promise<string> {
  const self = await swarmInfo(leader);
  if (!self.NodeID) throw new Error('le premier manager n’est pas dans un swarm');
  const node = (await leader.getNode(self.NodeID).inspect()) as SwarmNode;
  const addr = node.ManagerStatus?.Addr;
  if (!addr) throw new Error('le premier manager n’annonce pas d’adresse de swarm');
  return addr;
}

/**
 * Joins members to the leader's swarm: managers one at a time (each join changes the Raft
 * membership), then workers together. `prepare` runs before each join and may say the member
 * is already in (it is then skipped).
 */
export async function joinAll(
  leader: Docker,
  members: SwarmMember[],
  prepare: (m: SwarmMember, tokens: JoinTokens) => Promise<'join' | 'skip'> = async () => 'join',
): Promise<void> {
  const tokens = await joinTokens(leader);
  const remote = await managerAddress(leader);
  const join = async (m: SwarmMember) => {
    if ((await prepare(m, tokens)) === 'skip') return;
    await m.docker.swarmJoin({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: m.advertiseAddr,
      RemoteAddrs: [remote],
      JoinToken: m.role === 'manager' ? tokens.manager : tokens.worker,
    });
  };
  for (const m of members.filter((n) => n.role === 'manager')) await join(m);
  await Promise.all(members.filter((n) => n.role === 'worker').map(join));
}

/** Waits until the leader sees `count` nodes, all ready. */
export async function waitSwarmReady(leader: Docker, count: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => {
      const nodes = await listSwarmNodes(leader);
      return nodes.length === count && nodes.every((n) => n.Status?.State === 'ready');
    },
    timeoutMs,
    'les nœuds ne sont pas tous prêts dans le swarm',
  );
}

/** The node of that hostname is in the swarm and ready (seen by the leader). */
export async function isReadyMember(leader: Docker, hostname: string): Promise<boolean> {
  const nodes = await listSwarmNodes(leader);
  return nodes.some((n) => n.Description?.Hostname === hostname && n.Status?.State === 'ready');
}

/** Adds node labels, by hostname, from a manager. */
export async function labelNodes(leader: Docker, labels: Record<string, Record<string, string>>, hint = ''): Promise<void> {
  const nodes = await listSwarmNodes(leader);
  for (const [name, nodeLabels] of Object.entries(labels)) {
    const node = nodes.find((n) => n.Description?.Hostname === name);
    if (!node) throw new Error(`label sur un nœud inconnu du swarm : ${name}${hint}`);
    await leader.getNode(node.ID).update({
      _query: { version: node.Version?.Index },
      _body: { ...node.Spec, Labels: { ...(node.Spec?.Labels ?? {}), ...nodeLabels } },
    });
  }
}

export interface ManagerSearch {
  /** The first node, managers first, whose engine answers as a swarm manager. */
  manager?: { node: string; docker: Docker };
  /** Why each node tried before it was not one (French, for error messages). */
  reasons: string[];
}

/** Finds a manager that answers: managers first, but a promoted worker counts too. */
export async function findManager(nodes: { name: string; role: NodeRole }[], client: (node: string) => Promise<Docker>): Promise<ManagerSearch> {
  const reasons: string[] = [];
  for (const n of [...nodes].sort(byNodeOrder)) {
    try {
      const docker = await client(n.name);
      const info = await swarmInfo(docker);
      if (info.ControlAvailable) return { manager: { node: n.name, docker }, reasons };
      reasons.push(`${n.name} : ${info.LocalNodeState === 'active' ? 'worker' : 'hors swarm'}`);
    } catch {
      reasons.push(`${n.name} : injoignable`);
    }
  }
  return { reasons };
}
