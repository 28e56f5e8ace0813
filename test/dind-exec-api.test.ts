// The checker reaching node engines through `docker system dial-stdio` in the node (what Docker
// Desktop and remote engines need), forced here on a Linux host: a whole lab, including reading a
// secret inside a running task (an exec through that connection). The proof is what the engines
// recorded: the host engine's exec_create events of `docker system dial-stdio` in the node
// containers while the checker ran, and, in the node engine, the exec that read the secret.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterManager } from '../server/clusters';
import { REPO_ROOT } from '../server/config';
import { nodeApiMode } from '../server/drivers/dind';
import { LABEL } from '../server/drivers/labels';
import { ProgressStore } from '../server/labs/progress';
import { LabRunner } from '../server/labs/runner';
import { dindDriverIn, engine, engineAvailable, engineEvents, leftovers } from './engine';

const enabled = await engineAvailable('DinD driver with the exec API (dial-stdio)');

describe('choice of the node API', () => {
  it('uses the shared socket only on Linux with a local engine', () => {
    expect(nodeApiMode('exec')).toBe('exec');
    expect(nodeApiMode('socket')).toBe('socket');
    expect(nodeApiMode('auto', { DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toBe('exec');
    expect(nodeApiMode('auto', { DOCKER_HOST: 'ssh://me@host' })).toBe('exec');
    expect(nodeApiMode('auto', {})).toBe(process.platform === 'linux' ? 'socket' : 'exec');
  });
});

describe.skipIf(!enabled)('DinD driver, node API over docker exec', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dec-exec-api-'));
  const driver = await dindDriverIn(dir, { api: 'exec' });
  const runner = new LabRunner(new ClusterManager(driver), path.join(REPO_ROOT, 'labs'), new ProgressStore(path.join(dir, 'progress')));
  const cluster = 'exec-api';

  afterAll(async () => {
    await driver.down(cluster);
    expect(await leftovers(cluster)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  /** Node containers of this cluster in which the host engine created a dial-stdio exec in [since, until]. */
  async function dialsBetween(since: number, until: number): Promise<string[]> {
    const events = await engineEvents(engine, since, until, {
      type: ['container'],
      event: ['exec_create'],
      label: [`${LABEL.cluster}=${cluster}`],
    });
    return events.filter((e) => e.Action.endsWith('docker system dial-stdio')).map((e) => e.Actor.Attributes[LABEL.node] ?? '?');
  }

  it('forms the swarm and runs the secrets lab, the checker going through dial-stdio, the secret read inside a task', async () => {
    const built = Date.now();
    await runner.reset(cluster, 'secrets');
    // No socket is shared with the host in exec mode: dial-stdio is the only way in.
    for (const node of ['manager1', 'worker1', 'worker2']) expect(existsSync(path.join(dir, 'sockets', cluster, node, 'docker.sock'))).toBe(false);
    // Building the swarm already went through it, on every node.
    expect(new Set(await dialsBetween(built, Date.now()))).toEqual(new Set(['manager1', 'worker1', 'worker2']));
    const status = await driver.status(cluster);
    expect(status.nodes.map((n) => n.swarm?.state)).toEqual(['ready', 'ready', 'ready']);

    const lab = runner.lab('secrets');
    for (const exercise of lab.exercises) {
      expect((await runner.check(cluster, lab.id, exercise.id, { wait: false })).ok).toBe(false);
      await runner.solve(cluster, lab.id, exercise.id);
      const since = Date.now();
      const report = await runner.check(cluster, lab.id, exercise.id, { wait: true });
      const until = Date.now();
      expect(report.conditions.filter((c) => !c.ok).map((c) => c.observed)).toEqual([]);
      // The checker's own connections: dial-stdio execs in the node containers while it ran.
      expect((await dialsBetween(since, until)).length).toBeGreaterThan(0);
      // Reading the secret inside a task: the node engine that runs it recorded a `cat /run/secrets/…` exec.
      const readers: string[] = [];
      for (const n of await driver.nodes(cluster)) {
        const execs = await engineEvents(await driver.docker(cluster, n.name), since, until, { type: ['container'], event: ['exec_create'] });
        if (execs.some((e) => /^exec_create: cat \/run\/secrets\//.test(e.Action))) readers.push(n.name);
      }
      expect(readers.length, `exercise ${exercise.id}: no node engine ran « cat /run/secrets/… » in a task`).toBeGreaterThan(0);
      await runner.run(cluster, exercise.cleanup);
    }
  });
});
