import type Docker from 'dockerode';
import { hostname } from 'node:os';
import { byNodeOrder, roleOf, type NamedNode } from '../../src/shared/nodes';
import { LABEL, PROJECT, clusterFilter } from './labels';
import type { ClusterShape } from './types';

/**
 * The Docker objects of DinD clusters on the host engine, found by their labels: every object
 * carries them, so listing, removal and adoption work even after a crash of the server.
 */

export interface NodeContainer extends NamedNode {
  running: boolean;
  paused: boolean;
}

/** The node containers of a cluster, in node order. */
export async function clusterContainers(host: Docker, cluster: string, home: string): Promise<NodeContainer[]> {
  const containers = await host.listContainers({ all: true, filters: clusterFilter(cluster, home) });
  return containers
    .filter((c) => c.Labels[LABEL.node])
    .map((c) => {
      const name = c.Labels[LABEL.node]!;
      return { name, role: roleOf(name), running: c.State === 'running', paused: c.State === 'paused' };
    })
    .sort(byNodeOrder);
}

/** Removes every container (with its anonymous volumes), volume and network of a cluster of this data folder. */
export async function removeClusterObjects(host: Docker, cluster: string, home: string): Promise<void> {
  const filters = clusterFilter(cluster, home);
  const containers = await host.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => host.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreMissing)));
  const volumes = (await host.listVolumes({ filters })).Volumes ?? [];
  await Promise.all(volumes.map((v) => host.getVolume(v.Name).remove().catch(ignoreMissing)));
  const networks = await host.listNetworks({ filters });
  await Promise.all(networks.map((n) => removeNetwork(host, n.Id)));
}

/**
 * Removes a cluster's private network. A container the engine was still creating for a killed
 * builder may show up attached after the listing above: such containers are removed too (the
 * network is the cluster's own), and the removal is tried again rather than left behind.
 */
async function removeNetwork(host: Docker, id: string): Promise<void> {
  const network = host.getNetwork(id);
  for (let attempt = 1; ; attempt++) {
    try {
      await network.remove();
      return;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) return;
      if (status !== 409) throw error;
      if (attempt >= 10) {
        console.warn(`réseau ${id} encore utilisé après 10 essais : il reste sur le moteur (docker network rm ${id})`);
        return;
      }
    }
    const info = (await network.inspect().catch(() => undefined)) as { Containers?: Record<string, unknown> } | undefined;
    await Promise.all(Object.keys(info?.Containers ?? {}).map((c) => host.getContainer(c).remove({ force: true, v: true }).catch(ignoreMissing)));
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The clusters that have objects labelled with this data folder, and whether their builder still runs. */
export async function clustersOfHome(host: Docker, home: string): Promise<{ cluster: string; building: boolean }[]> {
  const mine = clusterFilter(undefined, home);
  const containers = await host.listContainers({ all: true, filters: mine });
  const networks = await host.listNetworks({ filters: mine });
  const volumes = (await host.listVolumes({ filters: mine })).Volumes ?? [];
  const clusters = new Set<string>();
  for (const o of [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels), ...volumes.map((v) => v.Labels)]) {
    const id = o?.[LABEL.cluster];
    if (id) clusters.add(id);
  }
  const builders = new Map<string, string>();
  for (const o of [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels)]) {
    const id = o?.[LABEL.cluster];
    const builder = o?.[LABEL.builder];
    if (id && builder) builders.set(id, builder);
  }
  return [...clusters].sort().map((cluster) => ({ cluster, building: builderAlive(builders.get(cluster)) }));
}

/** The shape recorded on a cluster's containers when it was built. */
export async function recordedShape(host: Docker, cluster: string, home: string): Promise<ClusterShape | undefined> {
  const containers = await host.listContainers({ all: true, filters: clusterFilter(cluster, home) });
  const raw = containers.find((c) => c.Labels[LABEL.shape])?.Labels[LABEL.shape];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as ClusterShape;
  } catch {
    return undefined;
  }
}

/** The labels of every object of a cluster being built by this process. */
export function clusterLabels(cluster: string, home: string): Record<string, string> {
  return {
    [LABEL.project]: PROJECT,
    [LABEL.cluster]: cluster,
    [LABEL.builder]: `${hostname()}:${process.pid}`,
    [LABEL.home]: home,
  };
}

/** Another live process on this machine is building that cluster right now. */
function builderAlive(builder: string | undefined): boolean {
  if (!builder) return false;
  const [host, pid] = builder.split(':');
  if (host !== hostname() || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

export function ignoreMissing(error: { statusCode?: number }): void {
  if (error?.statusCode === 404 || error?.statusCode === 409) return;
  throw error;
}
