import { describe, expect, it } from 'vitest';
import type { Task } from './swarm-objects';
import { checkOn, edited, service } from './testing';

// Where the recording placed the tasks (fixtures/deployed.json): web on manager1 (2) and worker2,
// spread over zone a (manager1, worker1) and zone b (worker2); pinned on worker1 (disk=ssd).

describe('tasks checks (recorded states)', () => {
  it('running tasks, distinct nodes, spread over a label and health, with progress', async () => {
    expect(await checkOn('deployed', { kind: 'tasks', service: 'web', running: 3, distinctNodes: 2, spreadOver: 'zone', healthy: true })).toEqual({
      ok: true,
      observed: 'tâches en cours : 3 tâches ; nœuds distincts : 2 (manager1, worker2) ; répartition par zone : zone=a : 2, zone=b : 1 ; santé : 3/3 en bonne santé (healthy)',
      expected:
        'tâches en cours : 3 tâches ; nœuds distincts : au moins 2 ; répartition par zone : tâches réparties équitablement entre toutes les valeurs de zone ; santé : toutes les tâches en bonne santé (healthy)',
      progress: '3/3 tâches en cours',
    });
  });

  it('too few tasks or nodes', async () => {
    expect(await checkOn('deployed', { kind: 'tasks', service: 'web', running: 4, distinctNodes: 3 })).toMatchObject({
      ok: false,
      observed: 'tâches en cours : 3 tâches ; nœuds distincts : 2 (manager1, worker2)',
      expected: 'tâches en cours : 4 tâches ; nœuds distincts : au moins 3',
    });
  });

  it('spread: unbalanced after a failure, and a label no node has', async () => {
    expect(await checkOn('failure', { kind: 'tasks', service: 'web', spreadOver: 'zone' })).toMatchObject({
      ok: false,
      observed: 'répartition par zone : zone=a : 3, zone=b : 0',
    });
    expect(await checkOn('deployed', { kind: 'tasks', service: 'web', spreadOver: 'rack' })).toMatchObject({
      ok: false,
      observed: 'répartition par rack : aucun nœud n’a le label rack',
      expected: 'répartition par rack : tâches réparties équitablement entre toutes les valeurs de rack',
    });
  });

  it('only on / not on some nodes', async () => {
    expect(await checkOn('deployed', { kind: 'tasks', service: 'pinned', onlyOn: ['worker1'], notOn: ['manager1', 'worker2'] })).toMatchObject({
      ok: true,
      observed: 'placement : tâches sur worker1 ; placement : tâches sur worker1',
    });
    expect(await checkOn('deployed', { kind: 'tasks', service: 'web', onlyOn: ['worker1'] })).toMatchObject({
      ok: false,
      observed: 'placement : tâches sur manager1, worker2',
      expected: 'placement : uniquement sur worker1',
    });
    expect(await checkOn('deployed', { kind: 'tasks', service: 'web', notOn: ['worker2'] })).toMatchObject({ ok: false, expected: 'placement : aucune tâche sur worker2' });
    // No task at all is not « only on » anything.
    expect(await checkOn('deployed', { kind: 'tasks', service: 'greedy', onlyOn: ['worker1'] })).toMatchObject({ ok: false, observed: 'placement : tâches sur aucun' });
  });

  it('pending tasks and their reason, as the scheduler words it', async () => {
    expect(await checkOn('deployed', { kind: 'tasks', service: 'greedy', pending: { reason: 'insufficient resources' } })).toEqual({
      ok: true,
      observed: 'tâches en attente : 1 tâche (no suitable node (insufficient resources on 3 nodes))',
      expected: 'tâches en attente : au moins 1 tâche en attente (« insufficient resources »)',
      progress: '0/1 tâches en cours',
    });
    expect(await checkOn('deployed', { kind: 'tasks', service: 'greedy', pending: { reason: 'constraint' } })).toMatchObject({ ok: false });
    expect(await checkOn('deployed', { kind: 'tasks', service: 'greedy', pending: { count: 2 } })).toMatchObject({ ok: false, expected: 'tâches en attente : au moins 2 tâches en attente' });
    expect(await checkOn('deployed', { kind: 'tasks', service: 'web', pending: {} })).toMatchObject({
      ok: false,
      observed: 'tâches en attente : aucune',
      expected: 'tâches en attente : au moins 1 tâche en attente',
    });
  });

  it('a constraint no node meets any more leaves tasks pending', async () => {
    expect(await checkOn('failure', { kind: 'tasks', service: 'pinned', pending: { reason: 'scheduling constraints not satisfied' } })).toMatchObject({ ok: true });
  });

  it('rescheduled from a node whose machine is off', async () => {
    expect(await checkOn('failure', { kind: 'tasks', service: 'web', running: 3, rescheduledFrom: 'worker2' })).toMatchObject({
      ok: true,
      observed: 'tâches en cours : 3 tâches ; replanification : 3/3 tâches en cours ailleurs',
      expected: 'tâches en cours : 3 tâches ; replanification : les tâches de worker2 relancées sur d’autres nœuds (3 en cours)',
    });
    // Before the failure, web still runs on worker2 (an update replaced tasks there, which is not a rescheduling).
    expect(await checkOn('deployed', { kind: 'tasks', service: 'web', rescheduledFrom: 'worker2' })).toMatchObject({
      ok: false,
      observed: 'replanification : des tâches tournent encore sur worker2',
    });
    expect(await checkOn('deployed', { kind: 'tasks', service: 'pinned', rescheduledFrom: 'worker2' })).toMatchObject({
      ok: false,
      observed: 'replanification : aucune tâche arrêtée sur worker2',
    });
  });

  it('health: no health check, and an unhealthy task', async () => {
    expect(await checkOn('deployed', { kind: 'tasks', service: 'pinned', healthy: true })).toMatchObject({
      ok: false,
      observed: 'santé : 0/1 en bonne santé (sans contrôle de santé)',
      expected: 'santé : toutes les tâches en bonne santé (healthy)',
    });
    expect(await checkOn('deployed', { kind: 'tasks', service: 'web', healthy: false })).toMatchObject({ ok: false, expected: 'santé : une tâche en mauvaise santé' });
    // Swarm kills an unhealthy task within a second: the recording keeps a healthy one, made unhealthy here.
    const sick = edited('deployed', (s) => {
      const web = service(s, 'web');
      const task = (s.swarm!.tasks as Task[]).find((t) => t.ServiceID === web.ID && t.DesiredState === 'running' && t.Status?.State === 'running')!;
      for (const engine of Object.values(s.engines)) {
        const container = 'containers' in engine ? engine.containers[task.Status!.ContainerStatus!.ContainerID!] : undefined;
        if (container) container.State.Health!.Status = 'unhealthy';
      }
    });
    expect(await checkOn(sick, { kind: 'tasks', service: 'web', healthy: false })).toMatchObject({ ok: true, observed: 'santé : 2/3 en bonne santé (unhealthy, healthy)' });
    expect(await checkOn(sick, { kind: 'tasks', service: 'web', healthy: true })).toMatchObject({ ok: false });
  });

  it('a service that does not exist', async () => {
    expect(await checkOn('empty', { kind: 'tasks', service: 'web', running: 1 })).toEqual({ ok: false, observed: 'le service « web » introuvable', expected: 'un service nommé « web »' });
  });
});
