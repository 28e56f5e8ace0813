import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The image's id on the host, pulled once from its registry if the host lacks it. */
export async function hostImageId(host: Docker, name: string): Promise<string> {
  try {
    return (await host.getImage(name).inspect()).Id;
  } catch {
    const stream = await host.pull(name);
    await new Promise<void>((resolve, reject) => host.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
    return (await host.getImage(name).inspect()).Id;
  }
}

/**
 * Saves host images into one archive (cached by image ids) for `docker load` into nodes, so
 * nodes never pull from a registry. Images missing on the host are reported in French.
 */
export async function imageArchive(host: Docker, images: string[], cacheDir: string): Promise<string> {
  const ids: string[] = [];
  const missing: string[] = [];
  for (const name of [...new Set(images)].sort()) {
    try {
      ids.push(`${name}@${(await hostImageId(host, name))}`);
    } catch {
      missing.push(name);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `image${missing.length > 1 ? 's' : ''} absente${missing.length > 1 ? 's' : ''} du moteur hôte : ${missing.join(', ')}. ` +
        `Le téléchargement a échoué : récupérez-la${missing.length > 1 ? 's' : ''} une fois (docker pull, ou server/images/build-standin-images.sh hors ligne) ; les nœuds la chargeront depuis l’hôte.`,
    );
  }
  const key = createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16);
  const file = path.join(cacheDir, `images-${key}.tar`);
  if (await stat(file).then(() => true, () => false)) return file;
  await mkdir(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await pipeline(await saveImages(host, images), createWriteStream(partial));
  await rename(partial, file);
  return file;
}

/** `docker save` of images as a tar stream (GET /images/get?names=…). */
export function saveImages(host: Docker, images: string[]): Promise<NodeJS.ReadableStream> {
  // dockerode's types lack getImages, which the library has.
  const save = (host as unknown as { getImages(o: { names: string[] }): Promise<NodeJS.ReadableStream> }).getImages;
  return save.call(host, { names: [...new Set(images)] });
}

/** Built locally from Debian packages (server/images/build-node-image.sh). */
export const OUR_NODE_IMAGE = 'docker-en-cluster/node:trixie';
/** The default for users with a registry. */
export const PUBLIC_NODE_IMAGE = 'docker:dind';

/** The node image: the configured one, else ours if it was built here, else docker:dind (pulled once). */
export async function chooseNodeImage(host: Docker, configured?: string): Promise<string> {
  if (configured) return configured;
  if (await hasImage(host, OUR_NODE_IMAGE)) return OUR_NODE_IMAGE;
  return PUBLIC_NODE_IMAGE;
}

export async function hasImage(host: Docker, name: string): Promise<boolean> {
  return host.getImage(name).inspect().then(() => true, () => false);
}

/** The one command that builds, without a registry, every image the labs need. */
export const OFFLINE_IMAGES_COMMAND = 'sudo bash server/images/build-offline-images.sh';

/** Neither the configured node image nor a way to get it: says what is missing, in French. */
export class NodeImageMissingError extends Error {
  constructor(
    readonly image: string,
    readonly pullError?: string,
  ) {
    super(
      image === PUBLIC_NODE_IMAGE
        ? `l’image de nœud ${image} est absente et ne peut pas être téléchargée (${pullError ?? 'registre injoignable'})`
        : `l’image de nœud ${image} est absente : construisez-la (bash server/images/build-node-image.sh ${image})`,
    );
    this.name = 'NodeImageMissingError';
  }
}

/** The node image on the host: docker:dind is pulled once; ours must be built. */
export async function ensureNodeImage(host: Docker, image: string): Promise<void> {
  if (await hasImage(host, image)) return;
  if (image !== PUBLIC_NODE_IMAGE) throw new NodeImageMissingError(image);
  try {
    const stream = await host.pull(image);
    await new Promise<void>((resolve, reject) => host.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  } catch (error) {
    throw new NodeImageMissingError(image, (error as Error).message);
  }
}
