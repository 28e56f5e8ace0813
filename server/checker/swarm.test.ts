import { describe, expect, it } from 'vitest';
import { checkOn, edited } from './testing';
import type { SwarmNode } from './swarm-objects';

describe('swarm checks (recorded states)', () => {
  it('a bare cluster passes « no swarm » and fails « a swarm », saying what each node answered', async () => {
    const observed = 'swarm : aucun manager de swarm ne répond (manager1 : hors swarm, worker1 : hors swarm, worker2 : hors swarm)';
    expect(await checkOn('bare', { kind: 'swarm', active: false })).toEqual({ ok: true, observed, expected: 'swarm : aucun swarm', progress: undefined });
    expect(await checkOn('bare', { kind: 'swarm' })).toEqual({ ok: false, observed, expected: 'swarm : un swarm actif', progress: undefined });
  });

  it('a ready swarm passes its counts, readiness and leader, with progress', async () => {
    expect(await checkOn('empty', { kind: 'swarm', nodes: 3, managers: 1, workers: 2, ready: true, leader: 'manager1' })).toEqual({
      ok: true,
      observed: 'swarm : actif ; nœuds : 3 nœuds ; managers : 1 manager ; workers : 2 workers ; état : tous prêts ; leader : manager1',
      expected: 'swarm : actif ; nœuds : 3 nœuds ; managers : 1 manager ; workers : 2 workers ; état : tous prêts ; leader : manager1',
      progress: '3/3 nœuds prêts',
    });
  });

  it('names only the counts that differ', async () => {
    expect(await checkOn('empty', { kind: 'swarm', nodes: 4, managers: 3, workers: 2 })).toMatchObject({
      ok: false,
      observed: 'nœuds : 3 nœuds ; managers : 1 manager',
      expected: 'nœuds : 4 nœuds ; managers : 3 managers',
    });
  });

  it('fails « no swarm » on an active swarm', async () => {
    expect(await checkOn('empty', { kind: 'swarm', active: false })).toMatchObject({ ok: false, observed: 'swarm : actif', expected: 'swarm : aucun swarm' });
  });

  it('fails on another leader', async () => {
    expect(await checkOn('empty', { kind: 'swarm', leader: 'manager2' })).toMatchObject({ ok: false, observed: 'leader : manager1', expected: 'leader : manager2' });
  });

  it('after a power cut, names the node that is not ready', async () => {
    expect(await checkOn('failure', { kind: 'swarm', ready: true })).toEqual({
      ok: false,
      observed: 'état : pas prêt : worker2 arrêté (Down)',
      expected: 'état : tous prêts',
      progress: '2/3 nœuds prêts',
    });
    expect(await checkOn('failure', { kind: 'swarm', ready: false })).toMatchObject({ ok: true });
  });

  it('names every node that is not ready, in the plural', async () => {
    const twoDown = edited('failure', (s) => {
      const node = (s.swarm!.nodes as SwarmNode[]).find((n) => n.Description?.Hostname === 'worker1')!;
      node.Status!.State = 'disconnected';
    });
    expect(await checkOn(twoDown, { kind: 'swarm', ready: true })).toMatchObject({
      ok: false,
      observed: 'état : pas prêts : worker1 déconnecté (Disconnected), worker2 arrêté (Down)',
      progress: '1/3 nœuds prêts',
    });
  });

  it('finds a manager even when it is not the first node, and says why others do not count', async () => {
    const noManager = edited('empty', (s) => {
      s.engines.manager1 = { unreachable: 'connect ENOENT /run/docker.sock' };
    });
    expect(await checkOn(noManager, { kind: 'swarm', active: false })).toMatchObject({
      ok: true,
      observed: 'swarm : aucun manager de swarm ne répond (manager1 : injoignable, worker1 : worker, worker2 : worker)',
    });
  });
});
