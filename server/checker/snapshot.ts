import type Docker from 'dockerode';
import type { ClusterNode, Driver, ExecResult } from '../drivers/types';
import { driverContext, findManager } from './context';
import { execInTask } from './swarm-objects';
import { NoManagerError, type CheckContext } from './types';

/**
 * A cluster's state as the checks see it, recorded from a real swarm: the JSON the Docker API
 * answered (swarm objects, each engine's info, volumes, networks and containers) and the
 * output of the commands the checks run. server/checker/fixture-context.ts replays it.
 */
export interface ClusterSnapshot {
  /** The state's name (the fixture file's name). */
  name: string;
  /** What was done to the cluster to reach this state (the commands, in French or shell). */
  description: string;
  recordedAt: string;
  /** Engine version of the nodes (`docker info`). */
  engineVersion: string;
  /** The driver's view of the cluster. */
  nodes: ClusterNode[];
  engines: Record<string, EngineSnapshot | { unreachable: string }>;
  /** The swarm API of a manager; null when no manager answered. */
  swarm: SwarmSnapshot | null;
  execs: { node: string; cmd: string[]; result: ExecResult }[];
  containerExecs: { node: string; container: string; cmd: string[]; result: ExecResult }[];
}

export interface SwarmSnapshot {
  nodes: unknown[];
  services: unknown[];
  tasks: unknown[];
  secrets: unknown[];
  configs: unknown[];
}

export interface EngineSnapshot {
  info: EngineInfo;
  networks: Docker.NetworkInspectInfo[];
  volumes: Docker.VolumeInspectInfo[];
  /** Running containers, by id: what `inspect` says of their state and mounts. */
  containers: Record<string, Docker.ContainerInspectInfo>;
}

/** `docker info`, kept to what the checks read (the rest describes the host). */
export interface EngineInfo {
  Name?: string;
  ServerVersion?: string;
  Swarm?: { NodeID?: string; LocalNodeState?: string; ControlAvailable?: boolean; Error?: string };
}

/** A command a state must answer: on a node (`exec` checks), or inside a running task of a service. */
export type Probe = { node: string; cmd: string[] } | { service: string; cmd: string[] };

/** Reads everything the checks may read from a live cluster, and runs the probes. */
export async function takeSnapshot(driver: Driver, cluster: string, name: string, description: string, probes: Probe[] = []): Promise<ClusterSnapshot> {
  const nodes = await driver.nodes(cluster);
  const engines: ClusterSnapshot['engines'] = {};
  for (const n of nodes) {
    try {
      engines[n.name] = await engineSnapshot(await driver.docker(cluster, n.name));
    } catch (error) {
      engines[n.name] = { unreachable: (error as Error).message };
    }
  }
  let swarm: SwarmSnapshot | null = null;
  try {
    const manager = await findManager(nodes, (node) => driver.docker(cluster, node));
    swarm = {
      nodes: await manager.listNodes(),
      services: await manager.listServices(),
      tasks: await manager.listTasks(),
      secrets: await manager.listSecrets(),
      configs: await manager.listConfigs(),
    };
  } catch (error) {
    if (!(error instanceof NoManagerError)) throw error;
  }
  const snapshot: ClusterSnapshot = {
    name,
    description,
    recordedAt: new Date().toISOString(),
    engineVersion: Object.values(engines).find((e): e is EngineSnapshot => 'info' in e)?.info.ServerVersion ?? '?',
    nodes,
    engines,
    swarm,
    execs: [],
    containerExecs: [],
  };
  const live = driverContext(driver, cluster);
  const recording: CheckContext = {
    ...live,
    execInContainer: async (node, container, cmd) => {
      const result = await live.execInContainer(node, container, cmd);
      snapshot.containerExecs.push({ node, container, cmd, result });
      return result;
    },
  };
  for (const probe of probes) {
    if ('node' in probe) snapshot.execs.push({ node: probe.node, cmd: probe.cmd, result: await driver.exec(cluster, probe.node, probe.cmd) });
    else {
      const seen = await execInTask(recording, probe.service, probe.cmd);
      if ('error' in seen) throw new Error(`${name} : sonde « ${probe.cmd.join(' ')} » dans ${probe.service} impossible : ${seen.error}`);
    }
  }
  return snapshot;
}

async function engineSnapshot(docker: Docker): Promise<EngineSnapshot> {
  const info = (await docker.info()) as EngineInfo;
  const containers: EngineSnapshot['containers'] = {};
  for (const c of await docker.listContainers()) {
    const full = await docker.getContainer(c.Id).inspect();
    // What the checks read (state, health, mounts), not the host's paths and environment.
    containers[c.Id] = { Id: full.Id, Name: full.Name, State: full.State, Mounts: full.Mounts, Config: { Image: full.Config.Image, Labels: full.Config.Labels } } as Docker.ContainerInspectInfo;
  }
  return {
    info: { Name: info.Name, ServerVersion: info.ServerVersion, Swarm: pick(info.Swarm, ['NodeID', 'LocalNodeState', 'ControlAvailable', 'Error']) },
    networks: await docker.listNetworks(),
    volumes: (await docker.listVolumes()).Volumes ?? [],
    containers,
  };
}

function pick<T extends object, K extends keyof T>(value: T | undefined, keys: K[]): Pick<T, K> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(keys.filter((k) => k in value).map((k) => [k, value[k]])) as Pick<T, K>;
}
