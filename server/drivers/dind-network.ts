import type Docker from 'dockerode';
import { isNodeName } from '../../src/shared/nodes';

/**
 * The private network of a Docker-in-Docker cluster, where every container has a fixed address.
 *
 * Swarm managers know each other by address: each one advertises the IP it had when it joined
 * and keeps it in its Raft membership. A container that is stopped gives its address back to
 * the network, and on `start` Docker hands it the lowest free one (or the next one, on engines
 * that allocate serially): a manager powered off with another could come back with the other's
 * old address, and the managers left could then never reach it (no leader, ever). So every node
 * gets an address derived from its name, which a power cycle never changes.
 *
 * Docker accepts a container's own address only on a network created with an explicit subnet.
 * The subnet is the one Docker picks itself for a new network (it avoids the host's routes and
 * the other networks): the network is created once without one, its subnet read, and created
 * again with that subnet pinned. Docker's default pools hold about 30 networks; past them, a
 * free /26 of 10.212.0.0/16 is used (a room of 40 on one engine).
 */

/** The address of a node or of the lab registry, from its name: manager1 → .11, worker1 → .21, registry → .2. */
export function hostOffset(name: string): number {
  if (name === 'registry') return 2;
  if (!isNodeName(name)) throw new Error(`pas d’adresse fixe pour « ${name} » sur le réseau du cluster`);
  const index = Number(name.slice(-1));
  return (name.startsWith('manager') ? 10 : 20) + index;
}

/** The highest offset handed out: the subnet must hold it and its broadcast address. */
const MAX_OFFSET = hostOffset('worker9');

function toInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`adresse IPv4 invalide : ${ip}`);
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The address at `offset` in an IPv4 subnet (`172.18.0.0/16`, 11 → `172.18.0.11`); refused when the subnet is too small. */
export function addressIn(subnet: string, offset: number): string {
  const [base, bits] = subnet.split('/');
  const prefix = Number(bits);
  if (!base || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`sous-réseau IPv4 invalide : ${subnet}`);
  const size = 2 ** (32 - prefix);
  if (size < MAX_OFFSET + 2) throw new Error(`sous-réseau ${subnet} trop petit pour un cluster (au moins ${MAX_OFFSET + 2} adresses)`);
  if (offset < 1 || offset >= size - 1) throw new Error(`décalage ${offset} hors du sous-réseau ${subnet}`);
  const network = toInt(base) - (toInt(base) % size);
  return toIp(network + offset);
}

interface IpamPool {
  Subnet?: string;
  Gateway?: string;
}

/** The IPv4 pool Docker chose for a network. */
function ipv4Pool(info: { IPAM?: { Config?: IpamPool[] } }): Required<IpamPool> {
  const pool = info.IPAM?.Config?.find((c) => c.Subnet && !c.Subnet.includes(':'));
  if (!pool?.Subnet) throw new Error('le moteur n’a donné aucun sous-réseau IPv4 au réseau du cluster');
  return { Subnet: pool.Subnet, Gateway: pool.Gateway ?? addressIn(pool.Subnet, 1) };
}

function overlaps(error: unknown): boolean {
  return /overlap/i.test((error as Error)?.message ?? '');
}

/** Docker has no default address pool left (about 30 bridge networks on an engine as installed). */
function poolsExhausted(error: unknown): boolean {
  return /non-overlapping IPv4 address pool|could not find an available.*address pool/i.test((error as Error)?.message ?? '');
}

/**
 * Where clusters' subnets are carved once Docker's default pools are spent: /26 blocks (64
 * addresses, a cluster uses at most 30) of a private range Docker does not use by default.
 */
export const FALLBACK_RANGE = { base: '10.212.0.0', prefix: 16, block: 26 } as const;

/**
 * A block of the fallback range that overlaps none of the engine's subnets (undefined if none is
 * left), picked at random among the free ones: clusters built at once rarely want the same one.
 */
export function freeSubnet(
  used: string[],
  range: { base: string; prefix: number; block: number } = FALLBACK_RANGE,
  pick: (count: number) => number = (count) => Math.floor(Math.random() * count),
): string | undefined {
  const spans = used
    .filter((s) => !s.includes(':'))
    .map((s) => {
      const [ip, bits] = s.split('/');
      const size = 2 ** (32 - Number(bits));
      const start = toInt(ip!) - (toInt(ip!) % size);
      return [start, start + size] as const;
    });
  const block = 2 ** (32 - range.block);
  const first = toInt(range.base);
  const end = first + 2 ** (32 - range.prefix);
  const free: number[] = [];
  for (let start = first; start + block <= end; start += block) {
    if (!spans.some(([a, b]) => start < b && a < start + block)) free.push(start);
  }
  if (free.length === 0) return undefined;
  return `${toIp(free[Math.min(free.length - 1, pick(free.length))]!)}/${range.block}`;
}

/** The subnet Docker picks for a new network; when its pools are spent, a free block of the fallback range. */
async function chooseSubnet(host: Docker, name: string, labels: Record<string, string>): Promise<Required<IpamPool>> {
  let probe: Docker.Network;
  try {
    // Labelled like every object of the cluster: `down` removes it even after a crash here.
    probe = await host.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
  } catch (error) {
    if (!poolsExhausted(error)) throw error;
    const networks = (await host.listNetworks()) as { IPAM?: { Config?: IpamPool[] } }[];
    const subnet = freeSubnet(networks.flatMap((n) => (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : []))));
    if (!subnet) throw new Error(`le moteur Docker n’a plus de sous-réseau libre pour un cluster (ses réserves et ${FALLBACK_RANGE.base}/${FALLBACK_RANGE.prefix} sont pris)\u00a0: ajoutez des « default-address-pools » à sa configuration`);
    return { Subnet: subnet, Gateway: addressIn(subnet, 1) };
  }
  const pool = ipv4Pool(await probe.inspect());
  addressIn(pool.Subnet, MAX_OFFSET);
  await probe.remove();
  return pool;
}

/**
 * Creates the cluster's bridge network with a pinned subnet and returns that subnet. Another
 * network created in between may take the subnet picked: then the whole step is tried again
 * (another one is picked).
 */
export async function createClusterNetwork(host: Docker, name: string, labels: Record<string, string>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const pool = await chooseSubnet(host, name, labels);
    try {
      await host.createNetwork({
        Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [pool] },
      });
      return pool.Subnet;
    } catch (error) {
      if (!overlaps(error) || attempt >= 10) throw error;
    }
  }
}

/** The fixed address of a node (`manager2`) or of the lab registry (`registry`) on a cluster network. */
export function clusterAddress(subnet: string, name: string): string {
  return addressIn(subnet, hostOffset(name));
}

/** A container's settings on the cluster network: its name as an alias, and its fixed address when it has one. */
export function endpoint(alias: string, address?: string): Docker.EndpointSettings {
  return { Aliases: [alias], ...(address ? { IPAMConfig: { IPv4Address: address } } : {}) };
}
