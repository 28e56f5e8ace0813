// The ssh driver against real SSH servers: Docker-in-Docker nodes that also run sshd, with keys
// generated for this run. A terminal session and the checker both go through SSH, including a
// full lab's setup, check, solution and check.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DindDriver } from '../server/drivers/dind';
import { parseInventory } from '../server/drivers/inventory';
import { SshDriver } from '../server/drivers/ssh';
import { NodeUnavailableError } from '../server/drivers/types';
import { startTestEdge, TestClient } from '../server/terminals/testing';
import { dindDriverIn, engine as host, engineAvailable, leftovers, runWholeLab } from './engine';

const enabled = await engineAvailable('ssh driver (DinD nodes running sshd)');
const MACHINES = 'ssh-machines';

describe.skipIf(!enabled)('ssh driver on real SSH servers', () => {
  let dir: string;
  let dind: DindDriver;
  let ssh: SshDriver;
  let inventoryText: string;
  const ips = new Map<string, string>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dec-ssh-'));
    const key = path.join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'docker-en-cluster-ci', '-f', key]);
    dind = await dindDriverIn(dir, { env: { NODE_SSH_AUTHORIZED_KEY: execFileSync('cat', [`${key}.pub`]).toString().trim() } });
    // Three bare machines: the ssh driver, not the dind driver, forms the swarm.
    await dind.up(MACHINES, { managers: 1, workers: 2, swarm: 'bare' });
    for (const n of ['manager1', 'worker1', 'worker2']) {
      const info = await host.getContainer(dind.containerName(MACHINES, n)).inspect();
      ips.set(n, info.NetworkSettings.Networks[dind.networkName(MACHINES)]!.IPAddress);
    }
    // Record host keys once (what an instructor does for a room), then verify them always.
    let known = '';
    for (const ip of ips.values()) {
      for (let i = 0; i < 50 && !known.includes(ip); i++) {
        try {
          known += execFileSync('ssh-keyscan', ['-T', '5', '-t', 'ed25519', ip], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
    await writeFile(path.join(dir, 'known_hosts'), known);
    inventoryText = [
      'user: root',
      'identityFile: id_ed25519',
      'knownHosts: known_hosts',
      'nodes:',
      ...[...ips.entries()].map(([name, ip]) => `  - { name: ${name}, host: ${ip} }`),
    ].join('\n');
    const inventoryFile = path.join(dir, 'inventory.yaml');
    await writeFile(inventoryFile, inventoryText);
    ssh = new SshDriver({ inventory: parseInventory(inventoryFile, inventoryText), host, cacheDir: path.join(dir, 'cache') });
  });

  afterAll(async () => {
    await ssh?.close();
    await dind?.down(MACHINES);
    expect(await leftovers(MACHINES)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  it('forms a swarm over SSH and reports it', async () => {
    await ssh.up('room', { managers: 1, workers: 2, swarm: 'ready' });
    const status = await ssh.status('room');
    expect(status.nodes.map((n) => [n.name, n.swarm?.state, n.swarm?.role])).toEqual([
      ['manager1', 'ready', 'manager'],
      ['worker1', 'ready', 'worker'],
      ['worker2', 'ready', 'worker'],
    ]);
    expect(status.nodes.find((n) => n.swarm?.leader)?.name).toBe('manager1');
  }, 600_000);

  it('opens a terminal session through SSH in node-pty', async () => {
    const edge = await startTestEdge({ resolveShell: async (key) => ssh.shell('room', key.node) });
    try {
      const client = await TestClient.connect(edge.url('worker1'));
      const out = await client.run('hostname; docker info --format "{{.Swarm.LocalNodeState}}"', 120_000);
      expect(out).toMatch(/worker1/);
      expect(out).toMatch(/active/);
      await client.close();
    } finally {
      await edge.close();
    }
  }, 300_000);

  it('runs a whole lab through SSH: setup, check fails, solution, check passes', async () => {
    await runWholeLab(ssh, dir, 'room', 'services-replicas', ['create', 'scale']);
  }, 900_000);

  it('refuses a host whose key does not match the known_hosts', async () => {
    const forged = path.join(dir, 'forged_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'other')]);
    const otherKey = execFileSync('cat', [path.join(dir, 'other.pub')]).toString().split(' ').slice(0, 2).join(' ');
    await writeFile(forged, [...ips.values()].map((ip) => `${ip} ${otherKey}`).join('\n'));
    const text = inventoryText.replace('knownHosts: known_hosts', 'knownHosts: forged_hosts');
    const bad = new SshDriver({ inventory: parseInventory(path.join(dir, 'inventory.yaml'), text), cacheDir: path.join(dir, 'cache') });
    await expect(bad.exec('room', 'manager1', ['true'])).rejects.toThrow(NodeUnavailableError);
    await bad.close();
  });

  it('reports an unreachable node clearly', async () => {
    const text = inventoryText.replace(/name: worker2, host: [0-9.]+ \}/, 'name: worker2, host: 127.0.0.1, port: 1 }');
    expect(text).toContain('port: 1 }');
    const bad = new SshDriver({ inventory: parseInventory(path.join(dir, 'inventory.yaml'), text), cacheDir: path.join(dir, 'cache') });
    await expect(bad.exec('room', 'worker2', ['true'])).rejects.toThrow(/worker2 ne répond pas.*connexion SSH/);
    await bad.close();
  });
});
