import Docker from 'dockerode';
import { DindDriver } from './dind';
import { DindPoolDriver, type PoolSlot } from './dind-pool';
import { EngineHealth, pingEngine } from './engine-pool';
import { resolveEngine } from './engines';
import { copyImages } from './image-copy';
import { chooseNodeImage } from './images';

export interface PoolBackendOptions {
  /** `--engine` / DEC_ENGINES, in order: URLs or Docker context names. */
  engines: string[];
  nodeImage?: string;
  privileged: 'auto' | 'yes' | 'no';
  socketDir: string;
  cacheDir: string;
  /** How the checker reaches node engines on engines of this machine (remote ones: always exec). */
  nodeApi?: 'auto' | 'socket' | 'exec';
}

/**
 * Docker-in-Docker on every engine given: one driver per engine (same data folder, so the same
 * names and labels), put together by DindPoolDriver. The node image is the first answering
 * engine's choice and is copied to the others at start.
 */
export async function dindPoolBackend(opts: PoolBackendOptions): Promise<{ driver: DindPoolDriver; reason: string }> {
  const targets = opts.engines.map((spec) => resolveEngine(spec));
  const clients = targets.map((t) => new Docker(t.docker));
  const alive = await Promise.all(clients.map((c) => pingEngine(c)));
  const first = alive.indexOf(true);
  if (first < 0) throw new Error(`aucun des moteurs Docker donnés ne répond (${targets.map((t) => t.id).join(', ')})`);
  const image = await chooseNodeImage(clients[first]!, opts.nodeImage);
  const slots: PoolSlot[] = targets.map((target, i) => {
    const docker = clients[i]!;
    const health = new EngineHealth();
    health.record(alive[i]!, Date.now());
    const driver = new DindDriver({
      host: docker,
      image,
      privileged: opts.privileged,
      socketDir: opts.socketDir,
      cacheDir: opts.cacheDir,
      // A unix socket shared by a node container is reachable only from the engine's own machine.
      api: target.local ? opts.nodeApi : 'exec',
      remote: !target.local,
    });
    return { target, docker, health, driver };
  });
  for (const [i, slot] of slots.entries()) if (alive[i] && i !== first) await copyImages(clients[first]!, slot.docker, [image]);
  const driver = new DindPoolDriver({ slots, home: opts.socketDir, nodeImage: image });
  const privileged = await driver.privilegedWorks();
  const down = targets.filter((_, i) => !alive[i]).map((t) => t.id);
  return {
    driver,
    reason:
      `Docker-in-Docker sur ${targets.length} moteur${targets.length > 1 ? 's' : ''} (${targets.map((t) => t.id).join(', ')} ; ${image}, ` +
      `${privileged ? 'conteneurs privilégiés' : 'capacités explicites, --privileged refusé ici'}` +
      `${down.length > 0 ? ` ; ne répond pas pour l’instant : ${down.join(', ')}` : ''})`,
  };
}
