import type Docker from 'dockerode';
import type { Driver } from '../drivers/types';
import { NoManagerError, type CheckContext } from './types';

/** A check context over a driver: finds a manager that answers, caches clients for one run. */
export function driverContext(driver: Driver, cluster: string): CheckContext {
  let manager: Promise<Docker> | undefined;
  const find = async (): Promise<Docker> => {
    const nodes = await driver.nodes(cluster);
    if (nodes.length === 0) throw new NoManagerError('le cluster n’existe pas (encore)');
    const reasons: string[] = [];
    // Managers first, but a promoted worker counts too.
    for (const n of [...nodes].sort((a, b) => (a.role === b.role ? 0 : a.role === 'manager' ? -1 : 1))) {
      try {
        const docker = await driver.docker(cluster, n.name);
        const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
        if (info.Swarm?.ControlAvailable) return docker;
        reasons.push(`${n.name} : ${info.Swarm?.LocalNodeState === 'active' ? 'worker' : 'hors swarm'}`);
      } catch {
        reasons.push(`${n.name} : injoignable`);
      }
    }
    throw new NoManagerError(`aucun manager de swarm ne répond (${reasons.join(', ')})`);
  };
  return {
    cluster,
    manager() {
      manager ??= find();
      // A failed lookup is retried on the next poll, not cached.
      return manager.catch((error: unknown) => {
        manager = undefined;
        throw error;
      });
    },
    node: (name) => driver.docker(cluster, name),
    exec: (node, cmd) => driver.exec(cluster, node, cmd),
  };
}
