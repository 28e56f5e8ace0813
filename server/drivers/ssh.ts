import Docker from 'dockerode';
import { OSC133_PROMPT_COMMAND } from '../terminals/command-watch';
import { createReadStream, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { imageArchive } from './images';
import { knownKeys, type InventoryNode, type SshInventory } from './inventory';
import { nodesOfShape } from '../../src/shared/nodes';
import { initSwarm, isReadyMember, joinAll, labelNodes, swarmInfo } from './swarm';
import { swarmStatus } from './swarm-status';
import {
  NodeUnavailableError,
  UnsupportedShapeError,
  type ClusterNode,
  type ClusterShape,
  type ClusterStatus,
  type Driver,
  type ExecResult,
  type ShellSpec,
} from './types';

export interface SshDriverOptions {
  inventory: SshInventory;
  /** Host engine to take lab images from (`docker save`), when there is one; else nodes pull. */
  host?: Docker;
  cacheDir: string;
}

// Generous: a loaded server (a whole room on one machine) can take long to complete a handshake.
const CONNECT_TIMEOUT_MS = 30_000;
const LEAVE = 'docker swarm leave --force >/dev/null 2>&1 || true';

/**
 * Machines reached over SSH: a lab room, cloud VMs, or Vagrant VMs (server/drivers/vagrant.ts).
 * Terminals are `ssh` sessions in node-pty; the checker talks to each engine through
 * `docker system dial-stdio` over SSH (dockerode's ssh protocol); host keys are checked against
 * the inventory's known_hosts. The machines are the cluster: one inventory, one cluster.
 */
export class SshDriver implements Driver {
  readonly kind = 'ssh' as const;
  readonly maxNodes: number;
  private readonly connections = new Map<string, Promise<Client>>();
  private readonly clients = new Map<string, Docker>();

  constructor(private readonly opts: SshDriverOptions) {
    this.maxNodes = opts.inventory.nodes.length;
  }

  private machine(node: string): InventoryNode {
    const m = this.opts.inventory.nodes.find((n) => n.name === node);
    if (!m) throw new NodeUnavailableError(node, `absent de l’inventaire ${this.opts.inventory.file}`);
    return m;
  }

  private used(shape: ClusterShape): InventoryNode[] {
    const wanted = nodesOfShape(shape);
    const missing = wanted.filter((w) => !this.opts.inventory.nodes.some((n) => n.name === w.name));
    if (missing.length) {
      throw new UnsupportedShapeError(
        `ce TP demande ${wanted.map((w) => w.name).join(', ')} ; l’inventaire ${this.opts.inventory.file} n’a pas ${missing.map((m) => m.name).join(', ')}`,
      );
    }
    return wanted.map((w) => this.machine(w.name));
  }

  private hostVerifier(m: InventoryNode): (key: Buffer) => boolean {
    return (key) => {
      let text = '';
      try {
        text = readFileSync(this.opts.inventory.knownHosts, 'utf8');
      } catch {
        return false;
      }
      return knownKeys(text, m.host, m.port).includes(key.toString('base64'));
    };
  }

  private connectConfig(m: InventoryNode): ConnectConfig {
    return {
      host: m.host,
      port: m.port,
      username: m.user,
      privateKey: readFileSync(m.identityFile),
      hostVerifier: this.hostVerifier(m),
      readyTimeout: CONNECT_TIMEOUT_MS,
      keepaliveInterval: 10_000,
    };
  }

  private connection(m: InventoryNode): Promise<Client> {
    let pending = this.connections.get(m.name);
    if (!pending) {
      pending = new Promise<Client>((resolve, reject) => {
        const client = new Client();
        client.once('ready', () => resolve(client));
        client.once('error', (error) => {
          this.connections.delete(m.name);
          reject(new NodeUnavailableError(m.name, `connexion SSH à ${m.user}@${m.host}:${m.port} impossible (${error.message})`));
        });
        client.once('close', () => this.connections.delete(m.name));
        client.connect(this.connectConfig(m));
      });
      this.connections.set(m.name, pending);
    }
    return pending;
  }

  private async run(m: InventoryNode, command: string, input?: string | Readable): Promise<ExecResult> {
    const client = await this.connection(m);
    return new Promise((resolve, reject) => {
      client.exec(command, (error, stream) => {
        if (error) return reject(new NodeUnavailableError(m.name, error.message));
        let stdout = '';
        let stderr = '';
        let code = -1;
        stream.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
        stream.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
        stream.on('exit', (c: number | null) => (code = c ?? -1));
        stream.on('close', () => resolve({ code, stdout, stderr }));
        if (input === undefined) stream.end();
        else if (typeof input === 'string') stream.end(input);
        else input.pipe(stream);
      });
    });
  }

  private async root(m: InventoryNode, command: string): Promise<ExecResult> {
    const sudo = this.opts.inventory.sudo;
    return this.run(m, sudo ? `${sudo} sh -c ${shellQuote(command)}` : command);
  }

  async nodes(): Promise<ClusterNode[]> {
    return this.opts.inventory.nodes.map((n) => ({ name: n.name, role: n.role }));
  }

  async up(_cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    const machines = this.used(shape);
    for (const m of machines) await this.checkEngine(m);
    if (shape.swarm === 'bare') {
      for (const m of machines) await this.root(m, LEAVE);
      return machines.map((m) => ({ name: m.name, role: m.role }));
    }
    const [first, ...rest] = machines;
    const leader = await this.docker('', first!.name);
    if (!(await swarmInfo(leader)).ControlAvailable) {
      await this.root(first!, LEAVE);
      await initSwarm(leader, first!.advertiseAddr);
    }
    const members = await Promise.all(rest.map(async (m) => ({ name: m.name, role: m.role, advertiseAddr: m.advertiseAddr, docker: await this.docker('', m.name) })));
    // Machines are kept between labs: a node already in this swarm stays, any other leaves first.
    await joinAll(leader, members, async (member, tokens) => {
      const own = await swarmInfo(member.docker);
      const inThisSwarm = own.LocalNodeState === 'active' && (own.Cluster?.ID === tokens.swarmId || !own.ControlAvailable);
      if (inThisSwarm && (await isReadyMember(leader, member.name))) return 'skip';
      await this.root(this.machine(member.name), LEAVE);
      return 'join';
    });
    if (shape.labels) await labelNodes(leader, shape.labels, ` (le nom d’hôte de la machine doit être le nom du nœud)`);
    return machines.map((m) => ({ name: m.name, role: m.role }));
  }

  private async checkEngine(m: InventoryNode): Promise<void> {
    const result = await this.run(m, 'docker version --format "{{.Server.Version}}"');
    if (result.code !== 0) {
      throw new NodeUnavailableError(m.name, `Docker ne répond pas sur ${m.host} (${result.stderr.trim() || `code ${result.code}`}) : l’utilisateur ${m.user} est-il dans le groupe docker ?`);
    }
  }

  /** Machines are not ours to delete: leave the swarm and remove what the labs created. */
  async down(): Promise<void> {
    await Promise.all(
      this.opts.inventory.nodes.map((m) =>
        this.root(
          m,
          'docker swarm leave --force >/dev/null 2>&1; ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids >/dev/null; ' +
            'docker volume prune -f >/dev/null; docker network prune -f >/dev/null; true',
        ).catch(() => undefined),
      ),
    );
  }

  async reset(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    await this.down();
    return this.up(cluster, shape);
  }

  async adopt(): Promise<string[]> {
    return [];
  }

  async status(cluster: string): Promise<ClusterStatus> {
    const nodes = await Promise.all(
      this.opts.inventory.nodes.map(async (m) => ({
        name: m.name,
        role: m.role,
        reachable: await this.run(m, 'docker info >/dev/null 2>&1').then((r) => r.code === 0, () => false),
      })),
    );
    return swarmStatus({ cluster, driver: this.kind, exists: true, nodes }, (n) => this.docker(cluster, n));
  }

  async shell(_cluster: string, node: string, command?: string): Promise<ShellSpec> {
    const m = this.machine(node);
    return {
      file: 'ssh',
      args: [
        '-tt',
        '-p', String(m.port),
        '-i', m.identityFile,
        '-o', `UserKnownHostsFile=${this.opts.inventory.knownHosts}`,
        '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes',
        '-o', 'ServerAliveInterval=15',
        '-o', 'LogLevel=ERROR',
        `${m.user}@${m.host}`,
        // A login shell that tells when a command returns (OSC 133, invisible): the checks re-run.
        command ?? `export PROMPT_COMMAND=${shellQuote(OSC133_PROMPT_COMMAND)}; exec "\${SHELL:-/bin/sh}" -l`,
      ],
      env: { TERM: 'xterm-256color' },
    };
  }

  async docker(_cluster: string, node: string): Promise<Docker> {
    let client = this.clients.get(node);
    if (!client) {
      const m = this.machine(node);
      const config = this.connectConfig(m);
      client = new Docker({
        protocol: 'ssh',
        host: m.host,
        port: m.port,
        username: m.user,
        sshOptions: { privateKey: config.privateKey, hostVerifier: config.hostVerifier, readyTimeout: CONNECT_TIMEOUT_MS },
      } as Docker.DockerOptions);
      this.clients.set(node, client);
    }
    return client;
  }

  async exec(_cluster: string, node: string, cmd: string[], input?: string): Promise<ExecResult> {
    return this.run(this.machine(node), cmd.map(shellQuote).join(' '), input);
  }

  async loadImages(_cluster: string, images: string[]): Promise<void> {
    if (images.length === 0) return;
    const host = this.opts.host;
    const hostWorks = host ? await host.ping().then(() => true, () => false) : false;
    const archive = hostWorks ? await imageArchive(host!, images, this.opts.cacheDir) : undefined;
    await Promise.all(
      this.opts.inventory.nodes.map(async (m) => {
        const result = archive
          ? await this.run(m, 'docker load -q', createReadStream(archive))
          : await this.run(m, images.map((i) => `docker image inspect ${shellQuote(i)} >/dev/null 2>&1 || docker pull -q ${shellQuote(i)}`).join(' && '));
        if (result.code !== 0) throw new Error(`chargement des images sur ${m.name} : ${result.stderr.trim()}`);
      }),
    );
  }

  /** A failure on a real machine: stop its engine (and start it back). */
  async power(_cluster: string, node: string, state: 'on' | 'off'): Promise<void> {
    const m = this.machine(node);
    // systemd on a VM; the init script where there is none (the docker provider of vagrant/Vagrantfile).
    const command =
      state === 'off'
        ? 'if [ -d /run/systemd/system ]; then systemctl stop docker.socket docker; else service docker stop; fi'
        : 'if [ -d /run/systemd/system ]; then systemctl start docker; else service docker start; fi';
    const result = await this.root(m, command);
    if (result.code !== 0) throw new Error(`${command} sur ${node} : ${result.stderr.trim()}`);
  }

  async close(): Promise<void> {
    for (const pending of this.connections.values()) (await pending.catch(() => undefined))?.end();
    this.connections.clear();
  }
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
