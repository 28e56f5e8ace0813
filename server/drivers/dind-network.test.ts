import { describe, expect, it } from 'vitest';
import { addressIn, clusterAddress, endpoint, freeSubnet, hostOffset } from './dind-network';
import { engineCommand, nodeContainerSpec } from './dind-node';

describe('fixed addresses on a cluster network', () => {
  it('derives each address from the name, whatever the shape', () => {
    expect(hostOffset('registry')).toBe(2);
    expect(hostOffset('manager1')).toBe(11);
    expect(hostOffset('manager9')).toBe(19);
    expect(hostOffset('worker1')).toBe(21);
    expect(hostOffset('worker9')).toBe(29);
    expect(() => hostOffset('worker10')).toThrow(/pas d’adresse fixe pour « worker10 »/);
    expect(() => hostOffset('probe')).toThrow(/pas d’adresse fixe/);
  });

  it('gives distinct addresses to every node of the largest cluster', () => {
    const names = ['registry', ...Array.from({ length: 9 }, (_, i) => `manager${i + 1}`), ...Array.from({ length: 9 }, (_, i) => `worker${i + 1}`)];
    const addresses = names.map((n) => clusterAddress('172.18.0.0/16', n));
    expect(new Set(addresses).size).toBe(names.length);
    expect(addresses).not.toContain('172.18.0.1');
  });

  it('computes addresses inside the subnet Docker picked, from its network address', () => {
    expect(addressIn('172.18.0.0/16', 12)).toBe('172.18.0.12');
    expect(addressIn('192.168.32.0/20', 21)).toBe('192.168.32.21');
    // A subnet written from one of its hosts still counts from its network address.
    expect(addressIn('10.1.2.200/24', 11)).toBe('10.1.2.11');
    expect(addressIn('10.255.255.224/27', 29)).toBe('10.255.255.253');
  });

  it('refuses subnets too small for a cluster, offsets outside them and malformed subnets', () => {
    expect(() => addressIn('10.0.0.0/28', 11)).toThrow(/trop petit/);
    expect(() => addressIn('10.0.0.0/24', 255)).toThrow(/hors du sous-réseau/);
    expect(() => addressIn('10.0.0.0/24', 0)).toThrow(/hors du sous-réseau/);
    expect(() => addressIn('10.0.0/24', 11)).toThrow(/adresse IPv4 invalide/);
    expect(() => addressIn('fd00::/64', 11)).toThrow(/invalide/);
  });

  it('puts the fixed address in the endpoint settings of a node container', () => {
    expect(endpoint('registry')).toEqual({ Aliases: ['registry'] });
    const spec = nodeContainerSpec({
      name: 'dec-abc-c1-manager2', hostname: 'manager2', image: 'docker:dind', network: 'dec-abc-c1', volume: 'v',
      address: clusterAddress('172.20.0.0/16', 'manager2'), labels: {}, engine: engineCommand('docker-dind', { shareSocket: false }), privileged: true,
    });
    expect(spec.NetworkingConfig?.EndpointsConfig?.['dec-abc-c1']).toEqual({ Aliases: ['manager2'], IPAMConfig: { IPv4Address: '172.20.0.12' } });
  });
});

describe('subnets past Docker\'s default pools', () => {
  const first = () => 0;
  it('takes a /26 of the fallback range that no network of the engine overlaps', () => {
    expect(freeSubnet([], undefined, first)).toBe('10.212.0.0/26');
    expect(freeSubnet(['172.17.0.0/16', '10.212.0.0/26', '10.212.0.64/26'], undefined, first)).toBe('10.212.0.128/26');
    // A wider network of the engine inside the range covers several blocks; IPv6 pools are ignored.
    expect(freeSubnet(['10.212.0.0/24', 'fd00::/64'], undefined, first)).toBe('10.212.1.0/26');
    expect(freeSubnet(['10.212.0.0/16'])).toBeUndefined();
    expect(freeSubnet(['10.0.0.0/8'])).toBeUndefined();
    // At random among the free blocks (the last one here), never a used one.
    expect(freeSubnet(['10.212.0.0/17'], undefined, (n) => n - 1)).toBe('10.212.255.192/26');
    for (let i = 0; i < 50; i++) expect(freeSubnet(['10.212.0.0/17'])).toMatch(/^10\.212\.(12[89]|1[3-9]\d|2[0-5]\d)\.\d+\/26$/);
    // A block holds the largest cluster (offsets up to 29 and the broadcast address).
    expect(clusterAddress('10.212.0.64/26', 'worker9')).toBe('10.212.0.93');
  });

  it('walks a whole range', () => {
    const used: string[] = [];
    for (let i = 0; i < 4; i++) used.push(freeSubnet(used, { base: '10.9.0.0', prefix: 24, block: 26 }, first)!);
    expect(used).toEqual(['10.9.0.0/26', '10.9.0.64/26', '10.9.0.128/26', '10.9.0.192/26']);
    expect(freeSubnet(used, { base: '10.9.0.0', prefix: 24, block: 26 })).toBeUndefined();
  });
});
