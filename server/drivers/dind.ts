import Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { execAgent } from './exec-agent';
import { execInContainer } from './exec';
import { LABEL, PROJECT, clusterFilter } from './labels';
import { labRegistryDaemonArgs, seedLabRegistry, startLabRegistry } from './lab-registry';
import { ensureNodeImage } from './images';
import { swarmStatus } from './swarm-status';
import {
  NodeUnavailableError,
  nodeNames,
  validateClusterId,
  type ClusterNode,
  type ClusterShape,
  type ClusterStatus,
  type Driver,
  type ExecResult,
  type ShellSpec,
} from './types';

export interface DindOptions {
  /** The host engine that runs the node containers. */
  host: Docker;
  /** Node image: an image whose entrypoint starts dockerd and passes its arguments to it (docker:dind, or ours). */
  image: string;
  /** `auto` tries --privileged and falls back to an explicit capability set where it is refused. */
  privileged: 'auto' | 'yes' | 'no';
  /** Host folder holding one folder per node with that node's engine socket. */
  socketDir: string;
  /** Host folder where image archives are cached for `docker load` into nodes. */
  cacheDir: string;
  /** The docker CLI used for node shells (docker exec). */
  dockerCli?: string;
  /** Extra environment of node containers (e.g. NODE_SSH_AUTHORIZED_KEY starts sshd in our image). */
  env?: Record<string, string>;
  /**
   * How the checker reaches a node's engine: `socket`, a unix socket the node shares with the
   * host (fast; a Linux host with a local engine); `exec`, `docker system dial-stdio` run in the
   * node (Docker Desktop, remote engines). `auto` picks socket on Linux with a local engine.
   */
  api?: 'auto' | 'socket' | 'exec';
}

export function nodeApiMode(api: DindOptions['api'] = 'auto', env: NodeJS.ProcessEnv = process.env): 'socket' | 'exec' {
  if (api !== 'auto') return api;
  const local = !env.DOCKER_HOST || env.DOCKER_HOST.startsWith('unix://');
  return process.platform === 'linux' && local ? 'socket' : 'exec';
}

/** Capabilities that run a nested engine where --privileged is refused (see NOTES.md). */
const DIND_CAPS = [
  'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'NET_RAW', 'MKNOD', 'SYS_CHROOT', 'SETFCAP',
  'DAC_READ_SEARCH', 'IPC_LOCK', 'SYS_NICE',
];
const NODE_SOCKET = '/run/docker-en-cluster';

/**
 * Docker-in-Docker driver: a private network and one container per node, each running its own
 * engine. Every object carries the project's labels, so `down` and `adopt` find everything
 * even after a crash, and a cluster counts as built only once a marker is written last.
 */
export class DindDriver implements Driver {
  readonly kind = 'dind' as const;
  readonly maxNodes = 9;
  private privilegedChecked: boolean | undefined;
  private readonly clients = new Map<string, Docker>();

  /** Names carry a tag of the data folder: two servers (or a test and `npm start`) never collide. */
  private readonly tag: string;

  constructor(private readonly opts: DindOptions) {
    this.tag = createHash('sha256').update(opts.socketDir).digest('hex').slice(0, 6);
  }

  containerName(cluster: string, node: string): string {
    return `dec-${this.tag}-${cluster}-${node}`;
  }
  networkName(cluster: string): string {
    return `dec-${this.tag}-${cluster}`;
  }
  private socketPath(cluster: string, node: string): string {
    return path.join(this.opts.socketDir, cluster, node, 'docker.sock');
  }

  async nodes(cluster: string): Promise<ClusterNode[]> {
    const containers = await this.opts.host.listContainers({ all: true, filters: clusterFilter(cluster) });
    return containers
      .map((c) => ({ name: c.Labels[LABEL.node] ?? '', role: (c.Labels[LABEL.role] as ClusterNode['role']) ?? 'worker' }))
      .filter((n) => n.name)
      .sort(byNodeOrder);
  }

  async up(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    validateClusterId(cluster);
    if (shape.managers < 1) throw new Error('un cluster a au moins un manager');
    const wanted = nodeNames(shape);
    if (wanted.length > this.maxNodes) throw new Error(`au plus ${this.maxNodes} nœuds par cluster`);
    if (await this.isComplete(cluster, shape)) return wanted;
    await this.down(cluster);
    try {
      await this.build(cluster, shape, wanted);
    } catch (error) {
      await this.down(cluster).catch(() => undefined);
      throw error;
    }
    return wanted;
  }

  async reset(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    await this.down(cluster);
    return this.up(cluster, shape);
  }

  async down(cluster: string): Promise<void> {
    const host = this.opts.host;
    const filters = clusterFilter(cluster);
    const containers = await host.listContainers({ all: true, filters });
    await Promise.all(
      containers.map((c) => host.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreMissing)),
    );
    const volumes = (await host.listVolumes({ filters })).Volumes ?? [];
    await Promise.all(volumes.map((v) => host.getVolume(v.Name).remove().catch(ignoreMissing)));
    const networks = await host.listNetworks({ filters });
    await Promise.all(networks.map((n) => host.getNetwork(n.Id).remove().catch(ignoreMissing)));
    await rm(path.join(this.opts.socketDir, cluster), { recursive: true, force: true });
    for (const key of [...this.clients.keys()]) if (key.startsWith(`${cluster}/`)) this.clients.delete(key);
  }

  async adopt(): Promise<string[]> {
    // Only the clusters of this data folder: other servers and tests own theirs.
    const mine = { label: [...clusterFilter().label, `${LABEL.home}=${this.opts.socketDir}`] };
    const containers = await this.opts.host.listContainers({ all: true, filters: mine });
    const networks = await this.opts.host.listNetworks({ filters: mine });
    const volumes = (await this.opts.host.listVolumes({ filters: mine })).Volumes ?? [];
    const clusters = new Set<string>();
    for (const o of [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels), ...volumes.map((v) => v.Labels)]) {
      const id = o?.[LABEL.cluster];
      if (id) clusters.add(id);
    }
    const builders = new Map<string, string>();
    for (const o of [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels)]) {
      if (o?.[LABEL.cluster] && o[LABEL.builder]) builders.set(o[LABEL.cluster]!, o[LABEL.builder]!);
    }
    const adopted: string[] = [];
    for (const cluster of [...clusters].sort()) {
      if (builderAlive(builders.get(cluster))) continue;
      const shape = await this.recordedShape(cluster);
      if (shape && (await this.isComplete(cluster, shape))) adopted.push(cluster);
      else await this.down(cluster);
    }
    return adopted;
  }

  async status(cluster: string): Promise<ClusterStatus> {
    const shape = await this.recordedShape(cluster);
    const containers = await this.opts.host.listContainers({ all: true, filters: clusterFilter(cluster) });
    const nodes = containers
      .filter((c) => c.Labels[LABEL.node])
      .map((c) => ({
        name: c.Labels[LABEL.node] ?? '?',
        role: (c.Labels[LABEL.role] as ClusterNode['role']) ?? 'worker',
        reachable: c.State === 'running',
      }))
      .sort(byNodeOrder);
    return swarmStatus({ cluster, driver: this.kind, exists: containers.length > 0, shape, nodes }, (n) => this.docker(cluster, n));
  }

  async shell(cluster: string, node: string, command?: string): Promise<ShellSpec> {
    await this.runningContainer(cluster, node);
    const login = command === undefined ? 'exec bash -l' : 'exec bash -lc "$0"';
    const fallback = command === undefined ? 'exec sh -l' : 'exec sh -lc "$0"';
    return {
      file: this.opts.dockerCli ?? 'docker',
      args: [
        'exec', '-it', '-e', 'TERM=xterm-256color', '-e', 'LANG=C.UTF-8', '-w', '/root',
        this.containerName(cluster, node),
        'sh', '-c', `if command -v bash >/dev/null; then ${login}; else ${fallback}; fi`,
        ...(command === undefined ? [] : [command]),
      ],
    };
  }

  async docker(cluster: string, node: string): Promise<Docker> {
    const key = `${cluster}/${node}`;
    let client = this.clients.get(key);
    if (!client) {
      client =
        nodeApiMode(this.opts.api) === 'socket'
          ? new Docker({ socketPath: this.socketPath(cluster, node) })
          : // dockerode's types omit `agent`, which docker-modem uses for every request.
            new Docker({ host: node, port: 2375, protocol: 'http', agent: execAgent(this.opts.host.getContainer(this.containerName(cluster, node))) } as Docker.DockerOptions);
      this.clients.set(key, client);
    }
    return client;
  }

  async exec(cluster: string, node: string, cmd: string[], input?: string): Promise<ExecResult> {
    const container = await this.runningContainer(cluster, node);
    return execInContainer(container, cmd, input);
  }

  async loadImages(cluster: string, images: string[]): Promise<void> {
    // Nodes pull them from the cluster's registry (server/drivers/lab-registry.ts).
    await seedLabRegistry(this.opts.host, this.containerName(cluster, 'registry'), images);
  }

  async power(cluster: string, node: string, state: 'on' | 'off'): Promise<void> {
    const container = this.opts.host.getContainer(this.containerName(cluster, node));
    const info = await container.inspect().catch(() => {
      throw new NodeUnavailableError(node, 'ce nœud n’existe pas dans votre cluster');
    });
    if (state === 'off') {
      // No grace period: a power cut, not a shutdown. A stopped container stays stopped.
      if (info.State.Running) await container.stop({ t: 0 });
      return;
    }
    if (!info.State.Running) await container.start();
    await this.waitForEngine(cluster, node);
  }

  /** Whether --privileged works on this host (it does not where CAP_SYS_MODULE is missing). */
  async privilegedWorks(): Promise<boolean> {
    if (this.opts.privileged !== 'auto') return this.opts.privileged === 'yes';
    if (this.privilegedChecked !== undefined) return this.privilegedChecked;
    await ensureNodeImage(this.opts.host, this.opts.image);
    const probe = await this.opts.host.createContainer({
      Image: this.opts.image,
      Entrypoint: ['true'],
      Labels: { [LABEL.project]: PROJECT, [LABEL.cluster]: 'probe' },
      HostConfig: { Privileged: true, AutoRemove: false },
    });
    try {
      await probe.start();
      await probe.wait();
      this.privilegedChecked = true;
    } catch {
      this.privilegedChecked = false;
    } finally {
      await probe.remove({ force: true }).catch(ignoreMissing);
    }
    return this.privilegedChecked;
  }

  private async build(cluster: string, shape: ClusterShape, wanted: ClusterNode[]): Promise<void> {
    const host = this.opts.host;
    await ensureNodeImage(host, this.opts.image);
    const privileged = await this.privilegedWorks();
    const labels = {
      [LABEL.project]: PROJECT,
      [LABEL.cluster]: cluster,
      [LABEL.builder]: `${hostname()}:${process.pid}`,
      [LABEL.home]: this.opts.socketDir,
    };
    await host.createNetwork({ Name: this.networkName(cluster), Driver: 'bridge', Labels: labels, CheckDuplicate: true });
    // The cluster's lab registry (server/drivers/lab-registry.ts): no node label, not a node.
    await startLabRegistry(host, { container: this.containerName(cluster, 'registry'), network: this.networkName(cluster), labels });
    await Promise.all(
      wanted.map(async (node) => {
        const nodeLabels = { ...labels, [LABEL.node]: node.name, [LABEL.role]: node.role, [LABEL.shape]: JSON.stringify(shape) };
        const volume = `${this.containerName(cluster, node.name)}-docker`;
        await host.createVolume({ Name: volume, Labels: nodeLabels });
        const socketDir = path.dirname(this.socketPath(cluster, node.name));
        await mkdir(socketDir, { recursive: true, mode: 0o700 });
        // The shared socket only in socket mode: a folder shared by Docker Desktop cannot hold one.
        const shareSocket = nodeApiMode(this.opts.api) === 'socket';
        const groupArgs = process.getgid && process.getgid() !== 0 ? [`--group=${process.getgid()}`] : [];
        const container = await host.createContainer({
          name: this.containerName(cluster, node.name),
          Hostname: node.name,
          Image: this.opts.image,
          Cmd: [...(shareSocket ? [`--host=unix://${NODE_SOCKET}/docker.sock`, ...groupArgs] : []), ...labRegistryDaemonArgs()],
          Env: ['DOCKER_TLS_CERTDIR=', ...Object.entries(this.opts.env ?? {}).map(([k, v]) => `${k}=${v}`)],
          Labels: nodeLabels,
          HostConfig: {
            NetworkMode: this.networkName(cluster),
            RestartPolicy: { Name: 'unless-stopped' },
            Binds: [`${volume}:/var/lib/docker`, ...(shareSocket ? [`${socketDir}:${NODE_SOCKET}`] : [])],
            // A fresh /run at every start, as on a machine that boots: no stale pid files after a power cut.
            Tmpfs: { '/run': 'rw,exec,mode=755' },
            ...(privileged
              ? { Privileged: true }
              : {
                  CapAdd: DIND_CAPS,
                  SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
                  // The API form of --security-opt systempaths=unconfined.
                  MaskedPaths: [],
                  ReadonlyPaths: [],
                  CgroupnsMode: 'host',
                  Mounts: [{ Type: 'bind', Source: '/sys/fs/cgroup', Target: '/sys/fs/cgroup', ReadOnly: false }],
                }),
          },
          NetworkingConfig: { EndpointsConfig: { [this.networkName(cluster)]: { Aliases: [node.name] } } },
        } as Docker.ContainerCreateOptions);
        await container.start();
      }),
    );
    await Promise.all(wanted.map((n) => this.waitForEngine(cluster, n.name)));
    if (shape.swarm === 'ready') await this.formSwarm(cluster, shape, wanted);
    // Written last: a cluster without it was interrupted while being built.
    await writeFile(this.markerPath(cluster), JSON.stringify(shape));
  }

  private async formSwarm(cluster: string, shape: ClusterShape, wanted: ClusterNode[]): Promise<void> {
    const ips = new Map<string, string>();
    for (const n of wanted) ips.set(n.name, await this.nodeAddress(cluster, n.name));
    const [first, ...rest] = wanted;
    const leader = await this.docker(cluster, first!.name);
    await leader.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: ips.get(first!.name) });
    const tokens = (await leader.swarmInspect()) as { JoinTokens: { Worker: string; Manager: string } };
    const join = async (n: ClusterNode) => {
      const client = await this.docker(cluster, n.name);
      await client.swarmJoin({
        ListenAddr: '0.0.0.0:2377',
        AdvertiseAddr: ips.get(n.name),
        RemoteAddrs: [`${ips.get(first!.name)}:2377`],
        JoinToken: n.role === 'manager' ? tokens.JoinTokens.Manager : tokens.JoinTokens.Worker,
      });
    };
    // Managers one at a time (each join changes the Raft membership), workers together.
    for (const n of rest.filter((n) => n.role === 'manager')) await join(n);
    await Promise.all(rest.filter((n) => n.role === 'worker').map(join));
    await waitFor(async () => {
      const nodes = await leader.listNodes();
      return nodes.length === wanted.length && nodes.every((n) => n.Status?.State === 'ready');
    }, 30_000, 'les nœuds ne sont pas tous prêts dans le swarm');
    if (shape.labels) {
      const nodes = await leader.listNodes();
      for (const [name, nodeLabels] of Object.entries(shape.labels)) {
        const node = nodes.find((n) => n.Description?.Hostname === name);
        if (!node) throw new Error(`label sur un nœud inconnu : ${name}`);
        await leader.getNode(node.ID).update({
          _query: { version: node.Version?.Index },
          _body: { ...node.Spec, Labels: { ...(node.Spec?.Labels ?? {}), ...nodeLabels } },
        });
      }
    }
  }

  private async nodeAddress(cluster: string, node: string): Promise<string> {
    const info = await this.opts.host.getContainer(this.containerName(cluster, node)).inspect();
    const ip = info.NetworkSettings.Networks[this.networkName(cluster)]?.IPAddress;
    if (!ip) throw new Error(`pas d’adresse IP pour ${node}`);
    return ip;
  }

  private async waitForEngine(cluster: string, node: string): Promise<void> {
    const client = await this.docker(cluster, node);
    await waitFor(
      async () => {
        await client.ping();
        return true;
      },
      // Generous: on a loaded 2-core machine (load average above 100) a nested engine took over 60 s.
      180_000,
      `le moteur Docker de ${node} ne démarre pas`,
      async () => {
        const state = await this.opts.host.getContainer(this.containerName(cluster, node)).inspect();
        if (!state.State.Running) {
          const logs = await this.opts.host.getContainer(this.containerName(cluster, node)).logs({ stdout: true, stderr: true, tail: 20 });
          throw new Error(`le nœud ${node} s’est arrêté : ${logs.toString('utf8').slice(-1500)}`);
        }
      },
    );
  }

  private async runningContainer(cluster: string, node: string): Promise<Docker.Container> {
    const container = this.opts.host.getContainer(this.containerName(cluster, node));
    try {
      const info = await container.inspect();
      if (!info.State.Running) throw new NodeUnavailableError(node, 'le conteneur du nœud est arrêté');
    } catch (error) {
      if (error instanceof NodeUnavailableError) throw error;
      throw new NodeUnavailableError(node, 'ce nœud n’existe pas dans votre cluster');
    }
    return container;
  }

  private async recordedShape(cluster: string): Promise<ClusterShape | undefined> {
    const containers = await this.opts.host.listContainers({ all: true, filters: clusterFilter(cluster) });
    const raw = containers.find((c) => c.Labels[LABEL.shape])?.Labels[LABEL.shape];
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as ClusterShape;
    } catch {
      return undefined;
    }
  }

  private markerPath(cluster: string): string {
    return path.join(this.opts.socketDir, cluster, 'complete');
  }

  /**
   * Every node of the shape exists (running or powered off by a lab) and the marker written
   * last by `up` is there. A powered-off node stays off: that is the learner's state.
   */
  private async isComplete(cluster: string, shape: ClusterShape): Promise<boolean> {
    const marker = await readFile(this.markerPath(cluster), 'utf8').catch(() => undefined);
    if (marker !== JSON.stringify(shape)) return false;
    const containers = (await this.opts.host.listContainers({ all: true, filters: clusterFilter(cluster) })).filter((c) => c.Labels[LABEL.node]);
    const wanted = nodeNames(shape);
    return containers.length === wanted.length && wanted.every((n) => containers.some((c) => c.Labels[LABEL.node] === n.name));
  }
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

function byNodeOrder(a: { name: string; role: string }, b: { name: string; role: string }): number {
  if (a.role !== b.role) return a.role === 'manager' ? -1 : 1;
  return a.name.localeCompare(b.name, 'en', { numeric: true });
}

function ignoreMissing(error: { statusCode?: number }): void {
  if (error?.statusCode === 404 || error?.statusCode === 409) return;
  throw error;
}

/** Polls `probe` until it returns true; `check` may throw to stop early with a better error. */
export async function waitFor(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  message: string,
  check?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    if (check) await check();
    if (Date.now() > deadline) {
      throw new Error(`${message} (${timeoutMs / 1000} s)${last instanceof Error ? ` : ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
}
