import Docker from 'dockerode';
import { nodesOfShape } from '../../src/shared/nodes';
import type { ServerConfig } from '../config';
import { DEFAULT_SHAPE, type Driver } from '../drivers/types';
import { capacityFromHost } from './policy';
import { RoomCapacity } from './room';

export { RoomCapacity, POOL_PREFIX } from './room';
export { QueueFullError, waitingMessage } from './policy';

/**
 * The room's capacity for a server: the limit given (`--max-clusters`) or derived from the
 * engine (`docker info`: MemTotal, NCPU; the formula is capacityFromHost), the pool and the
 * idle rules of the configuration. Says in French what it chose.
 */
export async function openRoom(config: ServerConfig, driver: Driver, isPriority: (cluster: string) => boolean, log: (line: string) => void): Promise<RoomCapacity> {
  const { maxClusters, prewarm, freezeAfterS, reclaimAfterS } = config.capacity;
  let limit = maxClusters;
  let why = '--max-clusters';
  if (limit === undefined) {
    const info = (await new Docker().info().catch(() => undefined)) as { MemTotal?: number; NCPU?: number } | undefined;
    const derived = capacityFromHost({ memBytes: info?.MemTotal ?? 8 * 1024 ** 3, cpus: info?.NCPU ?? 2 }, nodesOfShape(DEFAULT_SHAPE).length);
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
