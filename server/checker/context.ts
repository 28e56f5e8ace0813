import { execInContainer } from '../drivers/exec';
import type { ClusterNode, Driver } from '../drivers/types';
import { NoManagerError, type CheckContext, type EngineApi } from './types';

/**
 * The first node whose engine controls the swarm, managers first (a promoted worker counts
 * too), or a NoManagerError saying what each node answered.
 */
export async function findManager<E extends EngineApi>(nodes: ClusterNode[], engine: (name: string) => Promise<E>): Promise<E> {
  return (await findManagerNode(nodes, engine)).api;
}

/** Like findManager, with the name of the node that answered (the cluster map shows it). */
export async function findManagerNode<E extends EngineApi>(nodes: ClusterNode[], engine: (name: string) => Promise<E>): Promise<{ name: string; api: E }> {
  if (nodes.length === 0) throw new NoManagerError('le cluster n’existe pas (encore)');
  const reasons: string[] = [];
  for (const n of [...nodes].sort((a, b) => (a.role === b.role ? 0 : a.role === 'manager' ? -1 : 1))) {
    try {
      const api = await engine(n.name);
      const info = (await api.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
      if (info.Swarm?.ControlAvailable) return { name: n.name, api };
      reasons.push(`${n.name} : ${info.Swarm?.LocalNodeState === 'active' ? 'worker' : 'hors swarm'}`);
    } catch {
      reasons.push(`${n.name} : injoignable`);
    }
  }
  throw new NoManagerError(`aucun manager de swarm ne répond (${reasons.join(', ')})`);
}

/** `manager()` of a check context: looked up once per run; a failed lookup is retried on the next poll. */
export function cachedManager(find: () => Promise<EngineApi>): () => Promise<EngineApi> {
  let manager: Promise<EngineApi> | undefined;
  return () => {
    manager ??= find();
    return manager.catch((error: unknown) => {
      manager = undefined;
      throw error;
    });
  };
}

/** A check context over a driver: finds a manager that answers, caches clients for one run. */
export function driverContext(driver: Driver, cluster: string): CheckContext {
  return {
    cluster,
    manager: cachedManager(async () => findManager(await driver.nodes(cluster), (name) => driver.docker(cluster, name))),
    node: (name) => driver.docker(cluster, name),
    exec: (node, cmd) => driver.exec(cluster, node, cmd),
    execInContainer: async (node, container, cmd) => execInContainer((await driver.docker(cluster, node)).getContainer(container), cmd),
  };
}
