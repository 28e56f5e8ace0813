// A power cycle on the DinD driver, on a real engine: a node keeps its address on the cluster
// network, so a 3-manager swarm that lost its quorum gets a leader back with one manager restarted.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAddress } from '../server/drivers/dind-network';
import type { DindDriver } from '../server/drivers/dind';
import { listSwarmNodes, swarmInfo } from '../server/drivers/swarm';
import { waitFor } from '../server/drivers/wait';
import { dindDriverIn, engine, engineAvailable, leftovers } from './engine';

const ipNumber = (ip: string | undefined) => (ip ?? '').split('.').reduce((n, p) => n * 256 + Number(p), 0);
const enabled = await engineAvailable('DinD power cycle (3 managers)');
const cluster = `power${process.pid}`;

describe.skipIf(!enabled)('DinD power cycle of managers', () => {
  let dataDir: string;
  let driver: DindDriver;

  const address = async (node: string) => {
    const info = await engine.getContainer(driver.containerName(cluster, node)).inspect();
    return info.NetworkSettings.Networks[driver.networkName(cluster)]?.IPAddress;
  };
  const subnet = async () => {
    const info = (await engine.getNetwork(driver.networkName(cluster)).inspect()) as { IPAM: { Config: { Subnet: string }[] } };
    return info.IPAM.Config[0]!.Subnet;
  };
  /** manager1's view once a leader answers: hostname → manager status. */
  const managersSeenBy = async (node: string) => {
    const nodes = await listSwarmNodes(await driver.docker(cluster, node));
    return Object.fromEntries(nodes.map((n) => [n.Description?.Hostname, n.ManagerStatus?.Leader ? 'leader' : n.ManagerStatus?.Reachability]));
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-power-'));
    driver = await dindDriverIn(dataDir);
    await driver.up(cluster, { managers: 3, workers: 0, swarm: 'ready' });
  });

  afterAll(async () => {
    if (!driver) return;
    await driver.down(cluster);
    expect(await leftovers(cluster)).toEqual([]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives every node an address derived from its name, advertised to the swarm', async () => {
    const net = await subnet();
    for (const node of ['manager1', 'manager2', 'manager3']) {
      expect(await address(node)).toBe(clusterAddress(net, node));
      expect((await swarmInfo(await driver.docker(cluster, node))).NodeID).toBeTruthy();
    }
    const info = (await (await driver.docker(cluster, 'manager2')).info()) as { Swarm: { NodeAddr: string } };
    expect(info.Swarm.NodeAddr).toBe(clusterAddress(net, 'manager2'));
  });

  it('recovers a leader after two managers are powered off and one is powered on, each at its own address', { timeout: 420_000 }, async () => {
    const before = { manager2: await address('manager2'), manager3: await address('manager3') };
    await driver.power(cluster, 'manager2', 'off');
    await driver.power(cluster, 'manager3', 'off');
    const manager1 = await driver.docker(cluster, 'manager1');
    // The quorum is lost: manager1 alone cannot answer for the swarm any more.
    await waitFor(
      () => listSwarmNodes(manager1).then(() => false, () => true),
      120_000,
      'manager1 répond encore pour le swarm sans quorum',
    );
    // The one with the higher address first: were addresses handed out at start, it would take
    // the other's old one, the lowest free (or a new one, on engines that allocate serially).
    const [first, second] = ipNumber(before.manager3) > ipNumber(before.manager2) ? (['manager3', 'manager2'] as const) : (['manager2', 'manager3'] as const);
    await driver.power(cluster, first, 'on');
    expect(await address(first)).toBe(before[first]);
    await waitFor(
      async () => {
        const seen = await managersSeenBy('manager1');
        return (seen.manager1 === 'leader' || seen[first] === 'leader') && [seen.manager1, seen[first]].every((s) => s === 'leader' || s === 'reachable');
      },
      180_000,
      `pas de leader avec manager1 et ${first} allumés`,
    );
    expect((await managersSeenBy('manager1'))[second]).toBe('unreachable');

    await driver.power(cluster, second, 'on');
    expect(await address(second)).toBe(before[second]);
    await waitFor(
      async () => Object.values(await managersSeenBy('manager3')).filter((s) => s === 'leader' || s === 'reachable').length === 3,
      180_000,
      'les trois managers ne sont pas de nouveau joignables',
    );
  });
});
