// The map's builder on Docker API answers recorded from a real swarm (server/checker/fixtures/).
import { describe, expect, it } from 'vitest';
import { buildClusterMap, isSettling, mapChanges, nodeSituation, pendingReason, sameMap, serviceSummary, type ClusterMapState, type MachineState } from '../../src/shared/cluster-map';
import { loadSnapshot } from '../checker/fixture-context';
import type { ClusterSnapshot } from '../checker/snapshot';

function mapOf(snapshot: ClusterSnapshot, machines: Record<string, MachineState> = {}): ClusterMapState {
  return buildClusterMap({
    at: 1,
    manager: snapshot.swarm ? 'manager1' : null,
    machines: snapshot.nodes.map((n) => ({ name: n.name, machine: machines[n.name] ?? ('unreachable' in snapshot.engines[n.name]! ? 'stopped' : 'running') })),
    nodes: snapshot.swarm?.nodes ?? [],
    services: snapshot.swarm?.services ?? [],
    tasks: snapshot.swarm?.tasks ?? [],
  });
}

const tasksOf = (state: ClusterMapState, name: string) => {
  const id = state.services.find((s) => s.name === name)?.id;
  return state.tasks.filter((t) => t.service === id);
};

describe('buildClusterMap', () => {
  const deployed = mapOf(loadSnapshot('deployed'));
  const failure = mapOf(loadSnapshot('failure'));

  it('lists the nodes managers first, with role, leader, availability and state', () => {
    expect(deployed.nodes.map((n) => [n.name, n.role, n.leader, n.availability, n.state, n.machine])).toEqual([
      ['manager1', 'manager', true, 'active', 'ready', 'running'],
      ['worker1', 'worker', false, 'active', 'ready', 'running'],
      ['worker2', 'worker', false, 'active', 'ready', 'running'],
    ]);
  });

  it('keeps one task per replicated slot, the one Swarm wants running (a rolling update leaves history)', () => {
    const web = tasksOf(deployed, 'web');
    expect(web.map((t) => [t.slot, t.phase])).toEqual([[1, 'running'], [2, 'running'], [3, 'running']]);
    expect(new Set(web.map((t) => t.id)).size).toBe(3);
    // Every chip sits on a node of the cluster.
    for (const t of deployed.tasks.filter((x) => x.phase === 'running')) expect(['manager1', 'worker1', 'worker2']).toContain(t.node);
  });

  it('a global service has no slot; services carry their mode, replicas and a stable colour', () => {
    const agent = deployed.services.find((s) => s.name === 'agent')!;
    expect(agent.mode).toBe('global');
    expect(agent.replicas).toBeNull();
    expect(tasksOf(deployed, 'agent').map((t) => [t.slot, t.node])).toEqual([[null, 'manager1']]);
    expect(deployed.services.find((s) => s.name === 'web')).toMatchObject({ mode: 'replicated', replicas: 3, healthcheck: true });
    expect(deployed.services.map((s) => s.name)).toEqual([...deployed.services.map((s) => s.name)].sort());
    expect(new Set(deployed.services.map((s) => s.colour)).size).toBe(Math.min(8, deployed.services.length));
  });

  it('a pending task says why in French, with Docker’s words kept for the details', () => {
    const [greedy] = tasksOf(deployed, 'greedy');
    expect(greedy).toMatchObject({ phase: 'pending', node: null, reason: 'ressources insuffisantes (3\u00a0nœuds)' });
    expect(greedy!.message).toContain('insufficient resources');
    const [pinned] = tasksOf(failure, 'pinned');
    expect(pinned!.reason).toBe('2\u00a0nœuds indisponibles (vidé, en pause ou arrêté)\u202f; aucun nœud ne satisfait la contrainte (1\u00a0nœud)');
  });

  it('after a drain and a power cut: the drained node, the node down, its machine stopped, the tasks moved', () => {
    expect(failure.nodes.map((n) => nodeSituation(n))).toEqual(['prêt', 'vidé (drain)', 'machine arrêtée']);
    expect(failure.nodes[2]).toMatchObject({ state: 'down', machine: 'stopped' });
    const running = failure.tasks.filter((t) => t.phase === 'running' || t.phase === 'stopping');
    // Nothing Swarm wants running stays on the drained or dead nodes.
    expect(failure.tasks.filter((t) => t.phase === 'running').every((t) => t.node === 'manager1')).toBe(true);
    expect(running.length).toBeGreaterThan(0);
  });

  it('summaries for screen readers, and changes said once per service', () => {
    const web = deployed.services.find((s) => s.name === 'web')!;
    expect(serviceSummary(deployed, web)).toBe('web\u00a0: 3\u00a0tâches en cours sur 2\u00a0nœuds'); // spread over zone a/a/b
    const changes = mapChanges(deployed, failure);
    expect(changes).toContain('worker1\u00a0: vidé (drain)');
    expect(changes).toContain('worker2\u00a0: machine arrêtée');
    expect(changes.some((l) => l.startsWith('web\u00a0: 3\u00a0tâches en cours sur 1\u00a0nœud'))).toBe(true);
    expect(mapChanges(deployed, { ...deployed, at: 2 })).toEqual([]);
    expect(sameMap(deployed, { ...deployed, at: 2 })).toBe(true);
    expect(sameMap(deployed, failure)).toBe(false);
  });

  it('a bare cluster: nodes outside any swarm, no task', () => {
    const bare = mapOf(loadSnapshot('bare'));
    expect(bare.nodes.map((n) => [n.name, n.state, n.availability, nodeSituation(n)])).toEqual([
      ['manager1', null, null, 'hors swarm'],
      ['worker1', null, null, 'hors swarm'],
      ['worker2', null, null, 'hors swarm'],
    ]);
    expect(bare.tasks).toEqual([]);
    expect(isSettling(bare)).toBe(false);
  });

  it('pendingReason keeps messages it does not know', () => {
    expect(pendingReason('no suitable node (host-mode port already in use on 1 node)')).toBe('host-mode port already in use on 1 node');
    expect(pendingReason('no suitable node')).toBe('aucun nœud ne convient');
  });
});
