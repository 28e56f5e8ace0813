// The room's capacity on a real engine (DinD clusters): a pre-warmed cluster handed to the first
// learner without being rebuilt, a frozen cluster thawed by a keystroke with its shells and its
// swarm exactly as they were (same task ids on the same nodes, no new task), also across a
// server restart, the contrast of a plain pause (which reschedules), a reclaimed cluster
// rebuilt with progress intact, and the queue's places against the real edge.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, type LabServer } from '../server/app';
import { POOL_PREFIX } from '../server/capacity';
import { Assignments } from '../server/capacity/assignments';
import { loadConfig } from '../server/config';
import type { DindDriver } from '../server/drivers/dind';
import { TestClient, shellPid } from '../server/terminals/testing';
import { engineAvailable, leftovers } from './engine';

const enabled = await engineAvailable('room capacity (freeze, pool, reclaim, queue on DinD)');
const quiet = { log: () => undefined };
const LAB = 'services-replicas';

interface Task {
  id: string;
  node: string;
  state: string;
}

/** The tasks of a service as the manager records them (every one, history included). */
async function tasksOf(docker: Docker, service: string): Promise<Task[]> {
  const tasks = (await docker.listTasks({ filters: { service: [service] } })) as { ID: string; NodeID: string; Status: { State: string } }[];
  return tasks.map((t) => ({ id: t.ID, node: t.NodeID, state: t.Status.State })).sort((a, b) => a.id.localeCompare(b.id));
}

async function heartbeatNs(docker: Docker): Promise<number | undefined> {
  return ((await docker.swarmInspect()) as { Spec: { Dispatcher?: { HeartbeatPeriod?: number } } }).Spec.Dispatcher?.HeartbeatPeriod;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!enabled)('room capacity on a real engine', () => {
  let dataDir: string;
  let lab: LabServer;
  let token: string;
  let learner: string;
  let physical: string;
  let dind: DindDriver;
  const start = () =>
    startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'dind', prewarm: '1', 'max-clusters': '1', 'freeze-after': '0', 'reclaim-after': '0' }), quiet);
  const call = (method: 'GET' | 'POST', route: string, body?: unknown) =>
    fetch(`${lab.url}${route}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const wsUrl = (node: string) => `${lab.url.replace('http', 'ws')}/api/terminal/${node}/1?token=${token}`;
  const manager = () => lab.clusters!.driver.docker(learner, 'manager1');
  const paused = async () => Promise.all(['manager1', 'worker1', 'worker2'].map(async (n) => (await dind.nodeContainer(physical, n).inspect()).State.Paused));

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-capacity-'));
    lab = await start();
    dind = lab.backend.driver as DindDriver;
    const a = await lab.registry.register('Alice');
    token = a.token;
    learner = a.learner.id;
  });

  afterAll(async () => {
    if (!lab) return;
    await lab.close();
    // Every cluster of this data folder, whoever it was handed to (adopt lists the complete ones and removes the others).
    for (const id of await dind.adopt()) await dind.down(id);
    expect(await leftovers(physical)).toEqual([]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('hands the pre-warmed cluster to the first learner without rebuilding it', async () => {
    for (let i = 0; i < 600 && lab.room!.pooled().length === 0; i++) await sleep(500);
    const [pooled] = lab.room!.pooled();
    expect(pooled?.startsWith(POOL_PREFIX)).toBe(true);
    const before = ((await (await dind.docker(pooled!, 'manager1')).swarmInspect()) as { ID: string }).ID;
    const res = await call('POST', `/api/labs/${LAB}/start`, {});
    expect(res.status).toBe(200);
    physical = new Assignments(dataDir).resolve(learner);
    expect(physical).toBe(pooled);
    // The same swarm, not a new one: its id was drawn when the pool built it.
    expect(((await (await manager()).swarmInspect()) as { ID: string }).ID).toBe(before);
    expect(lab.room!.pooled()).toEqual([]);
  });

  it('a frozen cluster thaws on a keystroke with its shell and every task exactly as it was', async () => {
    for (const exercise of ['create', 'scale']) {
      expect((await call('POST', `/api/labs/${LAB}/solve`, { exercise })).status).toBe(200);
      const report = await call('POST', `/api/labs/${LAB}/check`, { exercise });
      expect((await report.text()).trim().split('\n').at(-1)).toContain('"ok":true');
    }
    const docker = await manager();
    const tasks = await tasksOf(docker, 'web');
    expect(tasks.filter((t) => t.state === 'running')).toHaveLength(3);
    expect(new Set(tasks.map((t) => t.node)).size).toBe(3);
    const client = await TestClient.connect(wsUrl('manager1'));
    const pid = await shellPid(client);

    await lab.room!.freeze(learner);
    expect(await paused()).toEqual([true, true, true]);
    const state = JSON.parse(readFileSync(path.join(dataDir, 'capacity', 'frozen', `${physical}.json`), 'utf8')) as { heartbeatNs: number };
    expect(state.heartbeatNs).toBe(5e9);
    // Longer than three default heartbeats (15 s): without the raised period, the manager
    // would declare the workers down on thaw and reschedule their tasks.
    await sleep(20_000);
    expect(await paused()).toEqual([true, true, true]);

    const out = await client.run('echo "thawed-$((40+2)) $$"', 30_000);
    expect(out).toContain(`thawed-42 ${pid}`);
    expect(await paused()).toEqual([false, false, false]);
    // The keystroke's thaw goes on in the background after the shell resumed: the old period comes back.
    for (let i = 0; i < 60 && (await heartbeatNs(docker)) !== 5e9; i++) await sleep(250);
    expect(await heartbeatNs(docker)).toBe(5e9);
    // Settled or not, nothing moved: the same task ids on the same nodes, no new task.
    await sleep(3_000);
    expect(await tasksOf(docker, 'web')).toEqual(tasks);
    await client.close();
  }, 240_000);

  it('a cluster frozen when the server stops stays frozen, and the next API call thaws it first', async () => {
    await lab.room!.freeze(learner);
    expect(await paused()).toEqual([true, true, true]);
    await lab.close();
    lab = await start();
    expect(lab.room!.isFrozen(learner)).toBe(true);
    expect(await paused()).toEqual([true, true, true]);
    const res = await call('GET', '/api/cluster');
    expect(res.status).toBe(200);
    const status = (await res.json()) as { nodes: { reachable: boolean; swarm?: { state: string } }[] };
    expect(status.nodes.map((n) => n.swarm?.state)).toEqual(['ready', 'ready', 'ready']);
    expect(await paused()).toEqual([false, false, false]);
    expect(await heartbeatNs(await manager())).toBe(5e9);
  }, 240_000);

  // Also proves the thaws above gave every node back its old heartbeat period (their sessions
  // renewed): with the raised period still in force, nothing would be rescheduled here.
  it('the contrast: a plain pause of the same length makes the manager reschedule tasks', async () => {
    const docker = await manager();
    // The sessions renewed after the last thaw (the room queues it behind the thawing action).
    await lab.clusters!.exclusive(learner, async () => undefined);
    const before = await tasksOf(docker, 'web');
    // The workers only: with the manager paused too, whether it declares them down on the thaw is
    // a race between its expired timers and their first heartbeat (seen to go either way on a new
    // machine); with the manager awake, three missed heartbeats always make it reschedule.
    const nodes = ['worker1', 'worker2'].map((n) => dind.nodeContainer(physical, n));
    await Promise.all(nodes.map((c) => c.pause()));
    await sleep(20_000);
    await Promise.all(nodes.map((c) => c.unpause()));
    let after = before;
    for (let i = 0; i < 120 && after.length === before.length; i++) {
      await sleep(500);
      after = await tasksOf(docker, 'web');
    }
    expect(after.length).toBeGreaterThan(before.length);
  }, 240_000);

  it('reclaims an idle cluster and rebuilds the lab on return, progress intact', async () => {
    await lab.room!.reclaim(learner);
    expect(await leftovers(physical)).toEqual([]);
    const progress = (await (await call('GET', '/api/progress')).json()) as { exercises: Record<string, { passedAt?: string }> };
    expect(progress.exercises[`${LAB}/create`]?.passedAt).toBeTruthy();
    expect(progress.exercises[`${LAB}/scale`]?.passedAt).toBeTruthy();

    const res = await call('POST', `/api/labs/${LAB}/start`, {});
    expect(res.status).toBe(200);
    const started = (await res.json()) as { notice?: string; nodes: unknown[] };
    expect(started.notice).toContain('recréé dans l’état de départ du TP');
    expect(started.nodes).toHaveLength(3);
    // Rebuilt elsewhere (the slot freed by the reclaim refilled the pool, whose cluster it got).
    const rebuilt = new Assignments(dataDir).resolve(learner);
    expect(rebuilt).not.toBe(physical);
    physical = rebuilt;
    // A fresh cluster in the lab's starting state: the learner's service is gone, the progress is not.
    expect(await tasksOf(await manager(), 'web').catch(() => [])).toEqual([]);
    const again = (await (await call('GET', '/api/progress')).json()) as typeof progress;
    expect(again.exercises[`${LAB}/scale`]?.passedAt).toBe(progress.exercises[`${LAB}/scale`]?.passedAt);
    // The notice is given once.
    expect(((await (await call('POST', `/api/labs/${LAB}/start`, {})).json()) as { notice?: string }).notice).toBeUndefined();
  }, 240_000);
});

describe.skipIf(!enabled)('the queue against the real edge', () => {
  let dataDir: string;
  let lab: LabServer;
  const tokens: Record<string, string> = {};
  const ids: string[] = [];
  const single = { shape: { managers: 1, workers: 0, swarm: 'ready' } };
  const up = (who: string) =>
    fetch(`${lab.url}/api/cluster/up`, { method: 'POST', headers: { Authorization: `Bearer ${tokens[who]}`, 'Content-Type': 'application/json' }, body: JSON.stringify(single) });
  const down = (who: string) =>
    fetch(`${lab.url}/api/cluster/down`, { method: 'POST', headers: { Authorization: `Bearer ${tokens[who]}`, 'Content-Type': 'application/json' }, body: '{}' });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-queue-'));
    lab = await startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'dind', 'max-clusters': '1' }), quiet);
    for (const name of ['alice', 'bob', 'chloe']) {
      const r = await lab.registry.register(name);
      tokens[name] = r.token;
      ids.push(r.learner.id);
    }
    tokens.instructor = new URL(lab.localUrl).searchParams.get('token')!;
    ids.push('local');
  });

  afterAll(async () => {
    if (!lab) return;
    for (const id of ids) await lab.clusters?.down(id);
    await lab.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives places in order, never queues the instructor, and a freed slot admits the first in line', async () => {
    expect((await up('instructor')).status).toBe(200);
    expect((await up('alice')).status).toBe(200);
    const bob = await up('bob');
    expect(bob.status).toBe(503);
    expect(bob.headers.get('retry-after')).toBe('5');
    const body = (await bob.json()) as { error: string; queue: { place: number } };
    expect(body.queue.place).toBe(1);
    expect(body.error).toContain('vous êtes en tête de la file d’attente');
    const chloe = (await (await up('chloe')).json()) as { error: string; queue: { place: number; waiting: number } };
    expect(chloe.queue).toMatchObject({ place: 2, waiting: 2 });
    expect(chloe.error).toContain('vous êtes 2ᵉ dans la file d’attente');

    expect((await down('alice')).status).toBe(200);
    // Chloé asks first, but Bob was there before her.
    expect(((await (await up('chloe')).json()) as { queue: { place: number } }).queue.place).toBe(2);
    expect((await up('bob')).status).toBe(200);
    expect(((await (await up('chloe')).json()) as { queue: { place: number } }).queue.place).toBe(1);
  }, 240_000);
});
