import Docker from 'dockerode';
import { OSC133_PROMPT_COMMAND } from '../terminals/command-watch';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nodesOfShape } from '../../src/shared/nodes';
import { clusterAddress, createClusterNetwork } from './dind-network';
import { engineCommand, nodeContainerSpec, nodeFlavour } from './dind-node';
import { clusterContainers, clusterLabels, clustersOfHome, ignoreMissing, recordedShape, removeClusterObjects } from './dind-objects';
import { DindFaults } from './dind-faults';
import { execAgent } from './exec-agent';
import { execInContainer } from './exec';
import { clusterFilter, LABEL, PROJECT } from './labels';
import { ensureNodeImage } from './images';
import { initSwarm, joinAll, labelNodes, waitSwarmReady } from './swarm';
import { labRegistryDaemonArgs, seedLabRegistry, startLabRegistry } from './lab-registry';
import { swarmStatus } from './swarm-status';
import { waitFor } from './wait';
import {
  NodeUnavailableError,
  validateClusterId,
  type ClusterNode,
  type ClusterShape,
  type ClusterStatus,
  type Driver,
  type ExecResult,
  type NodeFaults,
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
  /**
   * The host engine runs on another machine (server/drivers/dind-pool.ts): its loopback ports
   * are not this machine's, so the server does not probe the lab registry itself.
   */
  remote?: boolean;
}

export function nodeApiMode(api: DindOptions['api'] = 'auto', env: NodeJS.ProcessEnv = process.env): 'socket' | 'exec' {
  if (api !== 'auto') return api;
  const local = !env.DOCKER_HOST || env.DOCKER_HOST.startsWith('unix://');
  return process.platform === 'linux' && local ? 'socket' : 'exec';
}

/**
 * Docker-in-Docker driver: a private network and one container per node, each running its own
 * engine. Every object carries the project's labels, so `down` and `adopt` find everything
 * even after a crash, and a cluster counts as built only once a marker is written last.
 */
export class DindDriver implements Driver, NodeFaults {
  readonly kind = 'dind' as const;
  readonly maxNodes = 9;
  private privilegedChecked: boolean | undefined;
  private readonly clients = new Map<string, Docker>();

  /** Names carry a tag of the data folder: two servers (or a test and `npm start`) never collide. */
  private readonly tag: string;

  /** Network cuts of the resilience chapter (server/drivers/dind-faults.ts). */
  private readonly faults: DindFaults;

  constructor(private readonly opts: DindOptions) {
    this.tag = createHash('sha256').update(opts.socketDir).digest('hex').slice(0, 6);
    this.faults = new DindFaults(opts.host, {
      container: (cluster, node) => this.containerName(cluster, node),
      network: (cluster) => this.networkName(cluster),
      clusterDir: (cluster) => path.join(opts.socketDir, cluster),
    });
  }

  containerName(cluster: string, node: string): string {
    return `dec-${this.tag}-${cluster}-${node}`;
  }
  /** The host engine's handle on a node's container (freezing: server/drivers/dind-freeze.ts). */
  nodeContainer(cluster: string, node: string): Docker.Container {
    return this.opts.host.getContainer(this.containerName(cluster, node));
  }
  networkName(cluster: string): string {
    return `dec-${this.tag}-${cluster}`;
  }
  private socketPath(cluster: string, node: string): string {
    return path.join(this.opts.socketDir, cluster, node, 'docker.sock');
  }

  async nodes(cluster: string): Promise<ClusterNode[]> {
    return (await clusterContainers(this.opts.host, cluster, this.opts.socketDir)).map(({ name, role, running, paused }) => ({ name, role, machine: machineState(running, paused) }));
  }

  async up(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    validateClusterId(cluster);
    if (shape.managers < 1) throw new Error('un cluster a au moins un manager');
    const wanted = nodesOfShape(shape);
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
    await removeClusterObjects(this.opts.host, cluster, this.opts.socketDir);
    await rm(path.join(this.opts.socketDir, cluster), { recursive: true, force: true });
    for (const key of [...this.clients.keys()]) if (key.startsWith(`${cluster}/`)) this.clients.delete(key);
  }

  async adopt(): Promise<string[]> {
    // Only the clusters of this data folder: other servers and tests own theirs.
    const adopted: string[] = [];
    for (const { cluster, building } of await clustersOfHome(this.opts.host, this.opts.socketDir)) {
      if (building) continue;
      const shape = await recordedShape(this.opts.host, cluster, this.opts.socketDir);
      if (shape && (await this.isComplete(cluster, shape))) adopted.push(cluster);
      else await this.down(cluster);
    }
    return adopted;
  }

  async status(cluster: string): Promise<ClusterStatus> {
    const shape = await recordedShape(this.opts.host, cluster, this.opts.socketDir);
    const containers = await clusterContainers(this.opts.host, cluster, this.opts.socketDir);
    const nodes = containers.map(({ name, role, running, paused }) => ({ name, role, reachable: running, machine: machineState(running, paused) }));
    return swarmStatus({ cluster, driver: this.kind, exists: containers.length > 0, shape, nodes }, (n) => this.docker(cluster, n));
  }

  /**
   * Memory of the cluster's running node containers: their cgroup's figure when the engine is
   * on this machine (a file read), else a one-shot `docker stats` (page cache excluded). With
   * the host's cgroup namespace, the services' containers inside a node have cgroups of their own.
   */
  async memoryBytes(cluster: string): Promise<number> {
    const containers = await this.opts.host.listContainers({ filters: clusterFilter(cluster, this.opts.socketDir) });
    const figures = await Promise.all(
      containers.filter((c) => c.Labels[LABEL.node]).map(async (c) => {
        const local = await cgroupMemory(c.Id);
        if (local !== null) return local;
        const stats = (await this.opts.host.getContainer(c.Id).stats({ stream: false, 'one-shot': true })) as { memory_stats?: { usage?: number; stats?: Record<string, number> } };
        const m = stats.memory_stats;
        return Math.max(0, (m?.usage ?? 0) - (m?.stats?.inactive_file ?? m?.stats?.total_inactive_file ?? 0));
      }),
    );
    return figures.reduce((a, b) => a + b, 0);
  }

  async shell(cluster: string, node: string, command?: string): Promise<ShellSpec> {
    await this.runningContainer(cluster, node);
    const login = command === undefined ? 'exec bash -l' : 'exec bash -lc "$0"';
    const fallback = command === undefined ? 'exec sh -l' : 'exec sh -lc "$0"';
    return {
      file: this.opts.dockerCli ?? 'docker',
      args: [
        'exec', '-it', '-e', 'TERM=xterm-256color', '-e', 'LANG=C.UTF-8', '-w', '/root',
        // Bash tells when a command returns (OSC 133, invisible in the terminal): the checks re-run.
        ...(command === undefined ? ['-e', `PROMPT_COMMAND=${OSC133_PROMPT_COMMAND}`] : []),
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
    await seedLabRegistry(this.opts.host, this.containerName(cluster, 'registry'), images, { fromServer: !this.opts.remote });
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

  isolate(cluster: string, node: string): Promise<boolean> {
    return this.faults.isolate(cluster, node);
  }

  reconnect(cluster: string, node: string): Promise<boolean> {
    return this.faults.reconnect(cluster, node);
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
      await probe.remove({ force: true, v: true }).catch(ignoreMissing);
    }
    return this.privilegedChecked;
  }

  private async build(cluster: string, shape: ClusterShape, wanted: ClusterNode[]): Promise<void> {
    const host = this.opts.host;
    await ensureNodeImage(host, this.opts.image);
    const privileged = await this.privilegedWorks();
    const flavour = nodeFlavour(await host.getImage(this.opts.image).inspect());
    // The shared socket only in socket mode: a folder shared by Docker Desktop cannot hold one.
    const shareSocket = nodeApiMode(this.opts.api) === 'socket';
    const engine = engineCommand(flavour, { shareSocket, gid: process.getgid?.(), daemonArgs: labRegistryDaemonArgs() });
    const labels = clusterLabels(cluster, this.opts.socketDir);
    const network = this.networkName(cluster);
    // Every container of the network at a fixed address: a power-cycled manager is found again by its peers.
    const subnet = await createClusterNetwork(host, network, labels);
    // The cluster's lab registry (server/drivers/lab-registry.ts): no node label, not a node.
    await startLabRegistry(host, { container: this.containerName(cluster, 'registry'), network, address: clusterAddress(subnet, 'registry'), labels });
    await Promise.all(
      wanted.map(async (node) => {
        const nodeLabels = { ...labels, [LABEL.node]: node.name, [LABEL.role]: node.role, [LABEL.shape]: JSON.stringify(shape) };
        const name = this.containerName(cluster, node.name);
        const volume = `${name}-docker`;
        await host.createVolume({ Name: volume, Labels: nodeLabels });
        const socketDir = path.dirname(this.socketPath(cluster, node.name));
        await mkdir(socketDir, { recursive: true, mode: 0o700 });
        const spec = nodeContainerSpec({
          name, hostname: node.name, image: this.opts.image, network, address: clusterAddress(subnet, node.name), volume, labels: nodeLabels, engine,
          socketDir: shareSocket ? socketDir : undefined, privileged, extraEnv: this.opts.env,
        });
        await (await host.createContainer(spec)).start();
      }),
    );
    await Promise.all(wanted.map((n) => this.waitForEngine(cluster, n.name)));
    if (shape.swarm === 'ready') await this.formSwarm(cluster, shape, wanted);
    // Written last: a cluster without it was interrupted while being built.
    await writeFile(this.markerPath(cluster), JSON.stringify(shape));
  }

  private async formSwarm(cluster: string, shape: ClusterShape, wanted: ClusterNode[]): Promise<void> {
    const members = await Promise.all(
      wanted.map(async (n) => ({ ...n, docker: await this.docker(cluster, n.name), advertiseAddr: await this.nodeAddress(cluster, n.name) })),
    );
    const [leader, ...rest] = members;
    await initSwarm(leader!.docker, leader!.advertiseAddr);
    await joinAll(leader!.docker, rest);
    await waitSwarmReady(leader!.docker, wanted.length);
    if (shape.labels) await labelNodes(leader!.docker, shape.labels);
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
    const containers = await clusterContainers(this.opts.host, cluster, this.opts.socketDir);
    const wanted = nodesOfShape(shape);
    return containers.length === wanted.length && wanted.every((n) => containers.some((c) => c.name === n.name));
  }
}

function machineState(running: boolean, paused: boolean): 'running' | 'stopped' | 'paused' {
  return paused ? 'paused' : running ? 'running' : 'stopped';
}

/** A container's memory from its cgroup on this machine (cgroup v1, v2 with systemd or cgroupfs), null when not found. */
async function cgroupMemory(id: string): Promise<number | null> {
  for (const file of [`/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`, `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.current`, `/sys/fs/cgroup/docker/${id}/memory.current`]) {
    try {
      const bytes = Number((await readFile(file, 'utf8')).trim());
      if (Number.isFinite(bytes)) return bytes;
    } catch {
      // Not this layout, or not this machine's engine.
    }
  }
  return null;
}
