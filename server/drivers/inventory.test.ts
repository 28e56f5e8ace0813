import { describe, expect, it } from 'vitest';
import { InventoryError, knownKeys, parseInventory } from './inventory';
import { parseSshConfig } from './vagrant';

describe('ssh inventory', () => {
  it('parses nodes with defaults and roles from names', () => {
    const inv = parseInventory('/room/inventory.yaml', 'user: debian\nidentityFile: key\nknownHosts: kh\nnodes:\n  - { name: manager1, host: 10.0.0.1 }\n  - { name: worker1, host: 10.0.0.2, port: 2222 }\n');
    expect(inv.knownHosts).toBe('/room/kh');
    expect(inv.nodes).toEqual([
      { name: 'manager1', role: 'manager', host: '10.0.0.1', port: 22, user: 'debian', identityFile: '/room/key', advertiseAddr: '10.0.0.1' },
      { name: 'worker1', role: 'worker', host: '10.0.0.2', port: 2222, user: 'debian', identityFile: '/room/key', advertiseAddr: '10.0.0.2' },
    ]);
  });

  it('reports a bad field with file:line:column', () => {
    const text = 'identityFile: key\nknownHosts: kh\nnodes:\n  - { name: node3, host: 10.0.0.1 }\n';
    expect(() => parseInventory('inv.yaml', text)).toThrow(/^inv\.yaml:4:\d+: champ « nodes\.0\.name » : nom de nœud attendu/);
  });

  it('requires manager1 and host key verification', () => {
    expect(() => parseInventory('inv.yaml', 'identityFile: k\nknownHosts: kh\nnodes:\n  - { name: worker1, host: h }\n')).toThrow(InventoryError);
    expect(() => parseInventory('inv.yaml', 'identityFile: k\nnodes:\n  - { name: manager1, host: h }\n')).toThrow(/knownHosts/);
  });

  it('finds known host keys for plain and bracketed port entries', () => {
    const known = '10.0.0.1 ssh-ed25519 AAAA1\n[10.0.0.1]:2222 ssh-ed25519 AAAA2\n# comment\n10.0.0.9,10.0.0.1 ssh-rsa AAAA3\n';
    expect(knownKeys(known, '10.0.0.1', 22)).toEqual(['AAAA1', 'AAAA3']);
    expect(knownKeys(known, '10.0.0.1', 2222)).toEqual(['AAAA2']);
    expect(knownKeys(known, '10.0.0.2', 22)).toEqual([]);
  });

  it('reads `vagrant ssh-config` output', () => {
    const text = `Host manager1
  HostName 127.0.0.1
  User vagrant
  Port 2222
  UserKnownHostsFile /dev/null
  IdentityFile "/home/u/.vagrant/machines/manager1/virtualbox/private_key"

Host worker1
  HostName 127.0.0.1
  User vagrant
  Port 2200
  IdentityFile /home/u/w1
`;
    expect(parseSshConfig(text)).toEqual([
      { name: 'manager1', host: '127.0.0.1', port: 2222, user: 'vagrant', identityFile: '/home/u/.vagrant/machines/manager1/virtualbox/private_key' },
      { name: 'worker1', host: '127.0.0.1', port: 2200, user: 'vagrant', identityFile: '/home/u/w1' },
    ]);
  });
});
