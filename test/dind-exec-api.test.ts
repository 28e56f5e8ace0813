// The checker reaching node engines through `docker system dial-stdio` in the node (what Docker
// Desktop and remote engines need), forced here on a Linux host: a whole lab, including reading a
// secret inside a running task (an exec through that connection).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterManager } from '../server/clusters';
import { REPO_ROOT } from '../server/config';
import { nodeApiMode } from '../server/drivers/dind';
import { ProgressStore } from '../server/labs/progress';
import { LabRunner } from '../server/labs/runner';
import { dindDriverIn, engineAvailable, leftovers } from './engine';

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

  it('forms the swarm and runs the secrets lab, reading the secret inside a task', async () => {
    await runner.reset(cluster, 'secrets');
    const status = await driver.status(cluster);
    expect(status.nodes.map((n) => n.swarm?.state)).toEqual(['ready', 'ready', 'ready']);
    const lab = runner.lab('secrets');
    for (const exercise of lab.exercises) {
      expect((await runner.check(cluster, lab.id, exercise.id, { wait: false })).ok).toBe(false);
      await runner.solve(cluster, lab.id, exercise.id);
      const report = await runner.check(cluster, lab.id, exercise.id, { wait: true });
      expect(report.conditions.filter((c) => !c.ok).map((c) => c.observed)).toEqual([]);
      expect(lab.exercises.some((e) => e.conditions.some((c) => 'readable' in c && c.readable))).toBe(true);
      await runner.run(cluster, exercise.cleanup);
    }
  });
});
