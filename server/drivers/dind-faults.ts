// Network faults of Docker-in-Docker nodes: `docker network disconnect` of a node's container
// from its cluster's network, and `docker network connect` back with the same IP address and
// aliases. The address and aliases are written to a small file before the cut (so a restarted
// server can still plug the node back). Engines refuse a fixed address on a network without a
// subnet of its own; the node is then reconnected without one and must get its old address
// back (Docker gives the lowest free one), which is verified: a node whose address changed is
// reported, since managers would not find each other.
import type Docker from 'dockerode';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NodeUnavailableError, type NodeFaults } from './types';

export interface DindFaultNames {
  container(cluster: string, node: string): string;
  network(cluster: string): string;
  /** Folder of the cluster's own files on the host. */
  clusterDir(cluster: string): string;
}

/** What a node had on its cluster's network before the cut. */
interface Link {
  ip: string;
  aliases: string[];
}

export class DindFaults implements NodeFaults {
  constructor(private readonly host: Docker, private readonly names: DindFaultNames) {}

  async isolate(cluster: string, node: string): Promise<boolean> {
    const info = await this.inspect(cluster, node);
    const network = this.names.network(cluster);
    const endpoint = info.NetworkSettings.Networks[network];
    if (!endpoint) return false;
    // The short id Docker adds by itself is not an alias to restore.
    const aliases = ((endpoint.Aliases ?? []) as string[]).filter((a) => !info.Id.startsWith(a));
    const link: Link = { ip: endpoint.IPAddress ?? '', aliases: aliases.length ? aliases : [node] };
    await mkdir(this.linksDir(cluster), { recursive: true, mode: 0o700 });
    await writeFile(this.linkPath(cluster, node), JSON.stringify(link));
    await this.host.getNetwork(network).disconnect({ Container: info.Id, Force: true });
    return true;
  }

  async reconnect(cluster: string, node: string): Promise<boolean> {
    const info = await this.inspect(cluster, node);
    const network = this.names.network(cluster);
    if (info.NetworkSettings.Networks[network]) {
      await rm(this.linkPath(cluster, node), { force: true });
      return false;
    }
    const link = await this.savedLink(cluster, node);
    const net = this.host.getNetwork(network);
    try {
      await net.connect({ Container: info.Id, EndpointConfig: { Aliases: link.aliases, ...(link.ip ? { IPAMConfig: { IPv4Address: link.ip } } : {}) } });
    } catch (error) {
      if (!/user configured subnets/i.test((error as Error).message)) throw error;
      await net.connect({ Container: info.Id, EndpointConfig: { Aliases: link.aliases } });
    }
    const now = (await this.inspect(cluster, node)).NetworkSettings.Networks[network]?.IPAddress ?? '';
    await rm(this.linkPath(cluster, node), { force: true });
    // A stopped node gets its address when it starts: nothing to compare yet.
    if (link.ip && now && now !== link.ip) {
      throw new Error(`${node} est reconnecté mais avec l’adresse ${now} au lieu de ${link.ip} : réinitialisez le cluster pour que le swarm retrouve ce nœud`);
    }
    return true;
  }

  private async inspect(cluster: string, node: string): Promise<Docker.ContainerInspectInfo> {
    try {
      return await this.host.getContainer(this.names.container(cluster, node)).inspect();
    } catch {
      throw new NodeUnavailableError(node, 'ce nœud n’existe pas dans votre cluster');
    }
  }

  private async savedLink(cluster: string, node: string): Promise<Link> {
    try {
      const link = JSON.parse(await readFile(this.linkPath(cluster, node), 'utf8')) as Partial<Link>;
      if (typeof link.ip === 'string' && Array.isArray(link.aliases)) return { ip: link.ip, aliases: link.aliases.filter((a) => typeof a === 'string') };
    } catch {
      /* cut by hand, or the file is gone: the node's own name is its alias */
    }
    return { ip: '', aliases: [node] };
  }

  private linksDir(cluster: string): string {
    return path.join(this.names.clusterDir(cluster), 'isolated');
  }

  private linkPath(cluster: string, node: string): string {
    return path.join(this.linksDir(cluster), `${node}.json`);
  }
}
