// Fault injection on real Docker-in-Docker swarms, through the real lab server's instructor
// routes: a worker cut off its cluster's network is seen down by the managers and comes back
// ready with the same address; killing the leader of a 3-manager swarm elects another one; the
// room-wide action reaches every learner's cluster and no one else's; learners get 403. Small
// clusters, one or two at a time (a 3-manager + 1-worker swarm, then two 1-node ones).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, LOCAL_LEARNER, type LabServer } from '../server/app';
import { loadConfig } from '../server/config';
import type { AssignedDriver } from '../server/capacity/assignments';
import type { DindDriver } from '../server/drivers/dind';
import { listSwarmNodes } from '../server/drivers/swarm';
import { engine, engineAvailable } from './engine';

const enabled = await engineAvailable('fault injection (DinD swarms)');

interface Answer {
  status: number;
  body: { results?: { cluster: string; learner: string; ok: boolean; changed: boolean; node?: string; message: string }[]; error?: string };
}

/** Polls `read` until `ok` holds on its value (Swarm converges in its own time); fails after `timeoutMs`. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const t0 = Date.now();
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: ${JSON.stringify(last)} ${lastError ? String(lastError) : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(!enabled)('fault injection (instructor routes, real DinD swarms)', () => {
  let dataDir: string;
  let lab: LabServer;
  let driver: DindDriver;
  let instructorToken: string;
  const learners: { id: string; token: string }[] = [];

  const call = async (token: string, route: string, body: unknown): Promise<Answer> => {
    const res = await fetch(`${lab.url}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  const swarmNodes = async (cluster: string, manager: string) => listSwarmNodes(await driver.docker(cluster, manager));
  const stateOf = async (cluster: string, manager: string, hostname: string) => (await swarmNodes(cluster, manager)).find((n) => n.Description?.Hostname === hostname)?.Status?.State;
  const ipOf = async (cluster: string, node: string) => {
    const info = await engine.getContainer(driver.containerName(cluster, node)).inspect();
    return info.NetworkSettings.Networks[driver.networkName(cluster)]?.IPAddress;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-faults-'));
    lab = await startLabServer(loadConfig({ port: '0', 'data-dir': dataDir, driver: 'dind' }), { log: () => undefined });
    // The DinD driver under the room's assignments (no pre-warmed pool here: same cluster ids).
    driver = (lab.clusters!.driver as AssignedDriver).inner as DindDriver;
    instructorToken = new URL(lab.localUrl).searchParams.get('token')!;
    for (const name of ['Alice', 'Bob', 'Chloé']) {
      const r = await lab.registry.register(name);
      learners.push({ id: r.learner.id, token: r.token });
    }
  }, 120_000);

  afterAll(async () => {
    if (lab) {
      for (const id of [...learners.map((l) => l.id), LOCAL_LEARNER]) await lab.clusters?.down(id);
      await lab.close();
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 180_000);

  it('refuses the instructor’s fault routes to a learner (403), and a body without its node (400)', async () => {
    const alice = learners[0]!;
    for (const [route, body] of [
      [`/api/room/learners/${alice.id}/faults`, { action: 'stop', node: 'worker1' }],
      ['/api/room/faults', { action: 'kill-leader' }],
      ['/api/room/follow', { enabled: false }],
    ] as const) {
      const answer = await call(alice.token, route, body);
      expect(answer.status, route).toBe(403);
      expect(answer.body.error).toContain('réservé au formateur');
    }
    const missing = await call(instructorToken, `/api/room/learners/${alice.id}/faults`, { action: 'isolate' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toContain('nœud manquant');
  });

  it('cuts a worker off the network (down), plugs it back with the same address (ready), then kills the leader (a new one is elected)', { timeout: 900_000 }, async () => {
    const alice = learners[0]!.id;
    await lab.clusters!.ensure(alice, { managers: 3, workers: 1, swarm: 'ready' });
    const route = `/api/room/learners/${alice}/faults`;
    const ipBefore = await ipOf(alice, 'worker1');
    expect(ipBefore).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await stateOf(alice, 'manager1', 'worker1')).toBe('ready');

    const t0 = Date.now();
    const cut = await call(instructorToken, route, { action: 'isolate', node: 'worker1' });
    expect(cut.status).toBe(200);
    expect(cut.body.results).toEqual([{ cluster: alice, learner: 'Alice', ok: true, changed: true, node: 'worker1', message: 'worker1 coupé du réseau' }]);
    expect(await ipOf(alice, 'worker1')).toBeUndefined();
    await until(() => stateOf(alice, 'manager1', 'worker1'), (s) => s === 'down', 'worker1 jamais vu « down » par manager1');
    const downAfter = Date.now() - t0;
    const again = await call(instructorToken, route, { action: 'isolate', node: 'worker1' });
    expect(again.body.results?.[0]).toMatchObject({ ok: true, changed: false, message: 'worker1 déjà coupé du réseau' });

    const t1 = Date.now();
    const back = await call(instructorToken, route, { action: 'reconnect', node: 'worker1' });
    expect(back.body.results?.[0]).toMatchObject({ ok: true, changed: true, message: 'worker1 reconnecté au réseau' });
    expect(await ipOf(alice, 'worker1')).toBe(ipBefore);
    const aliases = (await engine.getContainer(driver.containerName(alice, 'worker1')).inspect()).NetworkSettings.Networks[driver.networkName(alice)]?.Aliases;
    expect(aliases).toContain('worker1');
    await until(() => stateOf(alice, 'manager1', 'worker1'), (s) => s === 'ready', 'worker1 jamais revenu « ready »');
    const readyAfter = Date.now() - t1;
    const twice = await call(instructorToken, route, { action: 'reconnect', node: 'worker1' });
    expect(twice.body.results?.[0]).toMatchObject({ ok: true, changed: false, message: 'worker1 déjà connecté au réseau' });

    // Kill the leader: the manager API says who it is; the two others elect a new one.
    const leaderBefore = (await swarmNodes(alice, 'manager2')).find((n) => n.ManagerStatus?.Leader)?.Description?.Hostname;
    expect(leaderBefore).toMatch(/^manager[123]$/);
    const t2 = Date.now();
    const killed = await call(instructorToken, route, { action: 'kill-leader' });
    expect(killed.body.results?.[0]).toMatchObject({ ok: true, changed: true, node: leaderBefore, message: `leader ${leaderBefore} arrêté` });
    expect((await engine.getContainer(driver.containerName(alice, leaderBefore!)).inspect()).State.Running).toBe(false);
    const survivor = ['manager1', 'manager2', 'manager3'].find((m) => m !== leaderBefore)!;
    const nodes = await until(
      () => swarmNodes(alice, survivor),
      (ns) => ns.some((n) => n.ManagerStatus?.Leader && n.Description?.Hostname !== leaderBefore),
      'aucun nouveau leader élu',
    );
    expect(nodes.find((n) => n.ManagerStatus?.Leader)?.Description?.Hostname).not.toBe(leaderBefore);
    // Figures for the report, not assertions.
    console.info(`faults: worker down ${downAfter} ms after the cut, ready ${readyAfter} ms after the reconnection, new leader ${Date.now() - t2} ms after the kill`);
    const stopped = await call(instructorToken, route, { action: 'stop', node: leaderBefore });
    expect(stopped.body.results?.[0]).toMatchObject({ ok: true, changed: false, message: `${leaderBefore} déjà arrêté` });
    await lab.clusters!.down(alice);
  });

  it('acts on every learner’s cluster in the room, and only on learners’ clusters', { timeout: 600_000 }, async () => {
    const [, bob, chloe] = learners;
    const small = { managers: 1, workers: 0, swarm: 'ready' } as const;
    await lab.clusters!.ensure(bob!.id, small);
    await lab.clusters!.ensure(LOCAL_LEARNER, small);
    const cut = await call(instructorToken, '/api/room/faults', { action: 'isolate', node: 'manager1' });
    expect(cut.status).toBe(200);
    // Alice's cluster is gone and Chloé never had one: Bob's is the only learner cluster.
    expect(cut.body.results).toEqual([{ cluster: bob!.id, learner: 'Bob', ok: true, changed: true, node: 'manager1', message: 'manager1 coupé du réseau' }]);
    expect(await ipOf(bob!.id, 'manager1')).toBeUndefined();
    expect(await ipOf(LOCAL_LEARNER, 'manager1')).toMatch(/^\d+\./);
    expect((await lab.clusters!.driver.nodes(chloe!.id)).length).toBe(0);
    const back = await call(instructorToken, '/api/room/faults', { action: 'reconnect', node: 'manager1' });
    expect(back.body.results?.map((r) => r.message)).toEqual(['manager1 reconnecté au réseau']);
    expect(await ipOf(bob!.id, 'manager1')).toMatch(/^\d+\./);

    // A lab's `action: isolate` on the learner's own cluster (the lab slide's button).
    const own = await call(bob!.token, '/api/cluster/nodes/manager1/isolate', {});
    expect(own.status).toBe(200);
    expect(own.body.results).toEqual([{ cluster: bob!.id, learner: 'Bob', ok: true, changed: true, node: 'manager1', message: 'manager1 coupé du réseau' }]);
    expect(await ipOf(bob!.id, 'manager1')).toBeUndefined();
    expect((await call(bob!.token, '/api/cluster/nodes/manager1/reconnect', {})).status).toBe(200);
    expect(await ipOf(bob!.id, 'manager1')).toMatch(/^\d+\./);
    // Chloé has no cluster: a clear French refusal, nothing created.
    const none = await call(chloe!.token, '/api/cluster/nodes/manager1/isolate', {});
    expect(none).toEqual({ status: 409, body: { error: 'pas de cluster' } });
    expect((await lab.clusters!.driver.nodes(chloe!.id)).length).toBe(0);
  });

  it('answers 501 in French where the driver cannot cut a node off its network (local driver)', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dec-faults-local-'));
    const local = await startLabServer(loadConfig({ port: '0', 'data-dir': dir, driver: 'local' }), { log: () => undefined });
    try {
      const token = new URL(local.localUrl).searchParams.get('token')!;
      const res = await fetch(`${local.url}/api/room/faults`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'isolate', node: 'manager1' }) });
      expect(res.status).toBe(501);
      expect(((await res.json()) as { error: string }).error).toContain('pilote « local »');
    } finally {
      await local.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
