import type Docker from 'dockerode';
import { endpoint } from './dind-network';
import { hasImage, hostImageId } from './images';

/**
 * The lab registry of a Docker-in-Docker cluster: one Distribution registry per cluster, on the
 * cluster's network under the name `registry`, port 5000. Nodes pull from it for real, so
 * `docker service create` records digests like on any production swarm:
 *
 * - Docker Hub names (`nginx:alpine`, `traefik/whoami`) go through it as a registry mirror
 *   (`--registry-mirror`): learners type the names they will type at work;
 * - the course's own app is published in it as `registry:5000/web:N`, the way a company
 *   publishes its images in its private registry.
 *
 * The images a lab declares are pushed into it from the host engine (over a port published on
 * 127.0.0.1 only, which the host engine trusts without TLS).
 */

export const REGISTRY_ALIAS = 'registry';
export const REGISTRY_PORT = 5000;
/** How nodes and learners name the lab registry. */
export const REGISTRY_HOST = `${REGISTRY_ALIAS}:${REGISTRY_PORT}`;
/** Built locally from Debian's docker-registry package (server/images/build-registry-image.sh). */
export const OUR_REGISTRY_IMAGE = 'docker-en-cluster/registry:2';
/** The same Distribution registry, for hosts that can pull from Docker Hub. */
export const PUBLIC_REGISTRY_IMAGE = 'registry:2';
/** Host images of the course's own app: `registry:5000/web:1` is built as `docker-en-cluster/web:1`. */
const OWN_PREFIX = 'docker-en-cluster/';

/** Options of the node's dockerd: trust the lab registry over plain HTTP and use it as the Docker Hub mirror. */
export function labRegistryDaemonArgs(): string[] {
  return [`--insecure-registry=${REGISTRY_HOST}`, `--registry-mirror=http://${REGISTRY_HOST}`];
}

export interface RegistryRef {
  /** The image on the host engine. */
  source: string;
  /** Repository path inside the registry (`library/nginx`, `web`). */
  repository: string;
  tag: string;
}

/**
 * Where an image a lab names lives in the lab registry. Docker Hub names are stored under their
 * canonical path (`nginx` → `library/nginx`), which is what a mirror is asked for.
 */
export function registryRef(image: string): RegistryRef {
  if (image.includes('@')) throw new Error(`image ${image} : une référence par digest ne peut pas être publiée dans le registre du lab, donnez un tag`);
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasDomain = first.includes('.') || first.includes(':') || first === 'localhost';
  const [name, tag = 'latest'] = splitTag(hasDomain ? image.slice(slash + 1) : image);
  if (hasDomain && first !== REGISTRY_HOST) {
    throw new Error(`image ${image} : seules les images de Docker Hub (par un miroir) et celles de ${REGISTRY_HOST}/… passent par le registre du lab`);
  }
  if (hasDomain) return { source: `${OWN_PREFIX}${name}:${tag}`, repository: name, tag };
  return { source: `${name}:${tag}`, repository: name.includes('/') ? name : `library/${name}`, tag };
}

function splitTag(reference: string): [string, string | undefined] {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, undefined];
}

/** The registry image on the host: ours when built, else the public one, pulled once. */
async function registryImage(host: Docker): Promise<string> {
  if (await hasImage(host, OUR_REGISTRY_IMAGE)) return OUR_REGISTRY_IMAGE;
  try {
    await hostImageId(host, PUBLIC_REGISTRY_IMAGE);
    return PUBLIC_REGISTRY_IMAGE;
  } catch {
    throw new Error(`l’image du registre de lab est absente : construisez-la (bash server/images/build-registry-image.sh) ou récupérez ${PUBLIC_REGISTRY_IMAGE}`);
  }
}

/** Starts the cluster's registry on its network (the caller's labels make `down` remove it). */
export async function startLabRegistry(
  host: Docker,
  opts: { container: string; network: string; address?: string; labels: Record<string, string> },
): Promise<void> {
  const container = await host.createContainer({
    name: opts.container,
    Hostname: REGISTRY_ALIAS,
    Image: await registryImage(host),
    Labels: opts.labels,
    ExposedPorts: { [`${REGISTRY_PORT}/tcp`]: {} },
    HostConfig: {
      NetworkMode: opts.network,
      RestartPolicy: { Name: 'unless-stopped' },
      // Published on the loopback only, for the host engine's pushes.
      PortBindings: { [`${REGISTRY_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
    },
    NetworkingConfig: { EndpointsConfig: { [opts.network]: endpoint(REGISTRY_ALIAS, opts.address) } },
  } as Docker.ContainerCreateOptions);
  await container.start();
}

/** The registry's address as the host engine reaches it (127.0.0.1 and the published port). */
async function hostAddress(host: Docker, container: string): Promise<string> {
  const info = await host.getContainer(container).inspect();
  const port = info.NetworkSettings.Ports?.[`${REGISTRY_PORT}/tcp`]?.[0]?.HostPort;
  if (!port) throw new Error(`le registre du lab (${container}) n’a pas de port publié`);
  return `127.0.0.1:${port}`;
}

async function answers(url: string): Promise<boolean> {
  return fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
}

/**
 * Pushes images from the host engine into the cluster's registry, under the names nodes pull
 * (images already there are skipped). The temporary host tags are removed afterwards.
 *
 * The server checks the registry over the published loopback port when the engine runs on
 * this machine (`fromServer`, the default); for an engine on another host that port is not
 * this machine's, so the engine's own pushes are the probe: retried while the registry starts,
 * and a push of an image already there only finds its layers present.
 */
export async function seedLabRegistry(host: Docker, container: string, images: string[], opts: { fromServer?: boolean } = {}): Promise<void> {
  if (images.length === 0) return;
  const fromServer = opts.fromServer ?? true;
  const address = await hostAddress(host, container);
  const deadline = Date.now() + 30_000;
  while (fromServer && !(await answers(`http://${address}/v2/`))) {
    if (Date.now() > deadline) throw new Error(`le registre du lab ne répond pas sur ${address} (30 s)`);
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const image of [...new Set(images)].sort()) {
    const ref = registryRef(image);
    if (fromServer && (await answers(`http://${address}/v2/${ref.repository}/manifests/${ref.tag}`))) continue;
    await hostImageId(host, ref.source).catch(() => {
      throw new Error(
        `image ${ref.source} absente du moteur hôte (pour ${image}) : ` +
          (ref.source.startsWith(OWN_PREFIX) ? 'construisez-la (bash server/images/build-demo-app.sh)' : 'récupérez-la une fois (docker pull, ou server/images/build-standin-images.sh hors ligne)'),
      );
    });
    const pushed = `${address}/${ref.repository}`;
    await host.getImage(ref.source).tag({ repo: pushed, tag: ref.tag });
    try {
      for (;;) {
        const error = await push(host, `${pushed}:${ref.tag}`);
        if (!error) break;
        // Not answering yet (only without the server's probe): the registry is still starting.
        if (!fromServer && /connection refused|connection reset|EOF/i.test(error) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 300));
          continue;
        }
        throw new Error(`publication de ${image} dans le registre du lab : ${error}`);
      }
    } finally {
      await host.getImage(`${pushed}:${ref.tag}`).remove({ noprune: true }).catch(() => undefined);
    }
  }
}

/** One push by the host engine; the registry's error, if any. */
async function push(host: Docker, reference: string): Promise<string | undefined> {
  try {
    const stream = await host.getImage(reference).push({ authconfig: {} }); // anonymous: the lab registry has no auth
    const events = await new Promise<Array<{ error?: string }>>((resolve, reject) =>
      host.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => (err ? reject(err) : resolve(out))),
    );
    return events.find((e) => e.error)?.error;
  } catch (error) {
    return (error as Error).message;
  }
}
