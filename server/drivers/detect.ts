import Docker from 'dockerode';
import path from 'node:path';
import { REPO_ROOT, type ServerConfig } from '../config';
import { DindDriver } from './dind';
import { chooseNodeImage, NodeImageMissingError, OFFLINE_IMAGES_COMMAND, OUR_NODE_IMAGE, PUBLIC_NODE_IMAGE } from './images';
import { dindPoolBackend } from './pool-backend';
import { loadInventory, type SshInventory } from './inventory';
import { LocalDriver } from './local';
import { SshDriver } from './ssh';
import { vagrantInventory } from './vagrant';
import type { Driver, DriverChoice } from './types';

export type { DriverChoice } from './types';
export { chooseNodeImage } from './images';

export interface DetectOptions {
  choice: DriverChoice;
  nodeImage?: string;
  privileged: 'auto' | 'yes' | 'no';
  socketDir: string;
  cacheDir: string;
  /** The local driver opens host shells: only allowed when the server is reachable from this machine only. */
  loopbackOnly: boolean;
  /** `dind` driver: how the checker reaches node engines. */
  nodeApi?: 'auto' | 'socket' | 'exec';
  /** `ssh` driver: the inventory file. */
  inventory?: string;
  /** `vagrant` driver: the folder of the Vagrantfile, and where recorded host keys go. */
  vagrantDir?: string;
  dataDir?: string;
  /** `dind` driver: the engines clusters are placed on (`--engine`); none: the local engine as always. */
  engines?: string[];
}

export interface Backend {
  driver: Driver | null;
  /** Why this backend was chosen, or why there is none: shown in French to learners and instructors. */
  reason: string;
}


/** Detection options from the server's configuration (one place for the server and the CLI). */
export function detectOptions(config: ServerConfig, loopbackOnly: boolean): DetectOptions {
  return {
    choice: config.driver,
    nodeImage: config.nodeImage,
    privileged: config.privileged,
    socketDir: path.join(config.dataDir, 'sockets'),
    cacheDir: path.join(config.dataDir, 'cache'),
    loopbackOnly,
    inventory: config.inventory,
    nodeApi: config.nodeApi,
    vagrantDir: path.join(REPO_ROOT, 'vagrant'),
    dataDir: config.dataDir,
    engines: config.engines,
  };
}

/** Finds the best backend: Docker-in-Docker on a reachable engine, else the local engine, else none. */
export async function detectBackend(opts: DetectOptions): Promise<Backend> {
  if (opts.choice === 'none') return { driver: null, reason: 'travaux pratiques désactivés (--driver none)' };
  const host = new Docker();
  if (opts.choice === 'ssh' || opts.choice === 'vagrant') {
    let inventory: SshInventory;
    if (opts.choice === 'ssh') {
      if (!opts.inventory) throw new Error('le pilote ssh demande un inventaire : --inventory fichier.yaml');
      inventory = loadInventory(opts.inventory);
    } else {
      inventory = await vagrantInventory(opts.vagrantDir!, opts.dataDir!);
    }
    const names = inventory.nodes.map((n) => n.name).join(', ');
    return { driver: new SshDriver({ inventory, host, cacheDir: opts.cacheDir }), reason: `machines jointes en SSH (${names}, ${inventory.file})` };
  }
  if (opts.engines && opts.engines.length > 0 && (opts.choice === 'auto' || opts.choice === 'dind')) {
    // Several engines (or one named): Docker-in-Docker on each (server/drivers/dind-pool.ts).
    return dindPoolBackend({ ...opts, engines: opts.engines });
  }
  try {
    await host.ping();
  } catch {
    return {
      driver: null,
      reason:
        'aucun moteur Docker joignable : installez Docker (ou démarrez-le), puis relancez « npm start ». ' +
        'Les diapositives restent consultables, sans terminal.',
    };
  }
  const local = () =>
    opts.loopbackOnly
      ? { driver: new LocalDriver(host), reason: 'mode local : un seul nœud, le moteur Docker de cette machine' }
      : { driver: null, reason: 'le mode local (shell sur la machine hôte) est refusé quand le serveur écoute sur le réseau' };
  if (opts.choice === 'local') return local();
  try {
    const image = await chooseNodeImage(host, opts.nodeImage);
    const dind = new DindDriver({ host, image, privileged: opts.privileged, socketDir: opts.socketDir, cacheDir: opts.cacheDir, api: opts.nodeApi });
    const privileged = await dind.privilegedWorks();
    return {
      driver: dind,
      reason: `Docker-in-Docker (${image}, ${privileged ? 'conteneurs privilégiés' : 'capacités explicites, --privileged refusé ici'})`,
    };
  } catch (error) {
    if (opts.choice === 'dind') throw error;
    const fallback = local();
    return { ...fallback, reason: `${fallback.reason} (Docker-in-Docker impossible : ${dindFailure(error as Error, opts.nodeImage)})` };
  }
}

/** Why Docker-in-Docker cannot start, and what fixes it, in French. */
export function dindFailure(error: Error, configured?: string): string {
  if (error instanceof NodeImageMissingError && !configured && error.image === PUBLIC_NODE_IMAGE) {
    const pull = error.pullError ? ` : ${error.pullError}` : '';
    return (
      `aucune image de nœud sur ce moteur Docker, ni ${OUR_NODE_IMAGE} (construite sur cette machine) ni ${PUBLIC_NODE_IMAGE} ` +
      `(téléchargement impossible, registre injoignable${pull}). Construisez l’image de nœud et les images des TP sans registre ` +
      `avec « ${OFFLINE_IMAGES_COMMAND} », puis relancez « npm start »`
    );
  }
  return error.message;
}
