import Docker from 'dockerode';
import { nodesOfShape } from '../../src/shared/nodes';
import type { ServerConfig } from '../config';
import { DindPoolDriver } from '../drivers/dind-pool';
import { DEFAULT_SHAPE, type Driver } from '../drivers/types';
import { capacityFromHost, type HostResources } from './policy';
import { RoomCapacity } from './room';

export { RoomCapacity, POOL_PREFIX } from './room';
export { QueueFullError, waitingMessage } from './policy';

/**
 * The room's capacity for a server: the limit given (`--max-clusters`) or derived from the
 * engines (`docker info`: MemTotal, NCPU; the formula is capacityFromHost), the pool and the
 * idle rules of the configuration. Says in French what it chose.
 */
export async function openRoom(config: ServerConfig, driver: Driver, isPriority: (cluster: string) => boolean, log: (line: string) => void): Promise<RoomCapacity> {
  const { maxClusters, prewarm, freezeAfterS, reclaimAfterS } = config.capacity;
  let limit = maxClusters;
  let why = '--max-clusters';
  if (limit === undefined) {
    const derived = capacityFromHost(await resources(driver), nodesOfShape(DEFAULT_SHAPE).length);
    limit = derived.limit;
    why = `moteur Docker\u00a0: ${derived.byMemory} par la mémoire, ${derived.byCpu} par les cœurs`;
  }
  const room = await RoomCapacity.open(driver, {
    limit,
    prewarm,
    rules: { freezeAfterMs: freezeAfterS * 1000, reclaimAfterMs: reclaimAfterS * 1000 },
    dataDir: config.dataDir,
    isPriority,
    log,
  });
  const stats = room.stats();
  const idle = [freezeAfterS ? `gel après ${freezeAfterS} s d’inactivité` : 'pas de gel', reclaimAfterS ? `suppression après ${reclaimAfterS} s` : 'pas de suppression'];
  log(`  Capacité\u00a0: ${limit} clusters d’apprenants à la fois (${why})\u202f; ${stats.used} déjà là, ${idle.join(', ')}${prewarm ? `, ${prewarm} pré-chauffés` : ''}`);
  return room;
}

/** Memory and cores of the engine that runs the clusters, summed over a pool's engines that answer. */
async function resources(driver: Driver): Promise<HostResources> {
  const engines = driver instanceof DindPoolDriver ? driver.engines.map((s) => s.docker) : [new Docker()];
  const infos = await Promise.all(engines.map((d) => d.info().catch(() => undefined) as Promise<{ MemTotal?: number; NCPU?: number } | undefined>));
  const answered = infos.filter((i) => i?.MemTotal && i.NCPU);
  // No answer (an engine still starting): the figures of a modest laptop rather than nothing.
  if (answered.length === 0) return { memBytes: 8 * 1024 ** 3, cpus: 2 };
  return { memBytes: answered.reduce((a, i) => a + i!.MemTotal!, 0), cpus: answered.reduce((a, i) => a + i!.NCPU!, 0) };
}
