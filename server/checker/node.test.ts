import { describe, expect, it } from 'vitest';
import type { SwarmNode } from './swarm-objects';
import { checkOn, edited } from './testing';

describe('node checks (recorded states)', () => {
  it('a worker of a ready swarm: role, availability, state, leader and labels', async () => {
    expect(await checkOn('empty', { kind: 'node', node: 'worker1', role: 'worker', availability: 'active', state: 'ready', leader: false, labels: { zone: 'a', disk: 'ssd' } })).toEqual({
      ok: true,
      observed: 'rôle : worker ; disponibilité : active ; état : prêt (Ready) ; leader : non ; label zone : a ; label disk : ssd',
      expected: 'rôle : worker ; disponibilité : active ; état : prêt (Ready) ; leader : non ; label zone : a ; label disk : ssd',
      progress: undefined,
    });
  });

  it('the manager is the leader', async () => {
    expect(await checkOn('empty', { kind: 'node', node: 'manager1', role: 'manager', leader: true })).toMatchObject({ ok: true });
    expect(await checkOn('empty', { kind: 'node', node: 'manager1', role: 'worker', leader: false })).toMatchObject({
      ok: false,
      observed: 'rôle : manager ; leader : oui',
      expected: 'rôle : worker ; leader : non',
    });
  });

  it('a label that is missing or different', async () => {
    expect(await checkOn('empty', { kind: 'node', node: 'worker2', labels: { zone: 'a', disk: 'ssd' } })).toMatchObject({
      ok: false,
      observed: 'label zone : b ; label disk : absent',
      expected: 'label zone : a ; label disk : ssd',
    });
  });

  it('a drained node and a node whose machine is off', async () => {
    expect(await checkOn('failure', { kind: 'node', node: 'worker1', availability: 'drain', state: 'ready' })).toMatchObject({ ok: true });
    expect(await checkOn('failure', { kind: 'node', node: 'worker1', availability: 'active' })).toMatchObject({
      ok: false,
      observed: 'disponibilité : vidé (drain)',
      expected: 'disponibilité : active',
    });
    expect(await checkOn('failure', { kind: 'node', node: 'worker2', state: 'ready' })).toMatchObject({ ok: false, observed: 'état : arrêté (Down)', expected: 'état : prêt (Ready)' });
  });

  it('a paused node, in French', async () => {
    const paused = edited('empty', (s) => {
      const node = (s.swarm!.nodes as SwarmNode[]).find((n) => n.Description?.Hostname === 'worker2')!;
      node.Spec!.Availability = 'pause';
    });
    expect(await checkOn(paused, { kind: 'node', node: 'worker2', availability: 'drain' })).toMatchObject({
      ok: false,
      observed: 'disponibilité : en pause (pause)',
      expected: 'disponibilité : vidé (drain)',
    });
  });

  it('a node that is not in the swarm', async () => {
    expect(await checkOn('empty', { kind: 'node', node: 'worker3', role: 'worker' })).toEqual({
      ok: false,
      observed: 'le nœud worker3 dans le swarm introuvable',
      expected: 'worker3 membre du swarm',
    });
  });
});
