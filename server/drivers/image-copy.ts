import type Docker from 'dockerode';
import { hasImage, saveImages } from './images';

/**
 * Images of one engine copied into another (`docker save | docker -H … load`), so an engine of
 * the pool needs no registry: the node image, the lab registry's and the labs' images come
 * from the first engine, where they were built or pulled. Only missing images move.
 */
export async function copyImages(from: Docker, to: Docker, images: string[]): Promise<void> {
  const missing: string[] = [];
  for (const image of [...new Set(images)].sort()) {
    if (!(await hasImage(to, image)) && (await hasImage(from, image))) missing.push(image);
  }
  if (missing.length === 0) return;
  const response = await to.loadImage(await saveImages(from, missing), { quiet: true });
  const events = await new Promise<Array<{ error?: string }>>((resolve, reject) =>
    to.modem.followProgress(response, (err: Error | null, out: Array<{ error?: string }>) => (err ? reject(err) : resolve(out))),
  );
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`copie des images ${missing.join(', ')} vers un autre moteur : ${failed.error}`);
}
