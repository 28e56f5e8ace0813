import { describe, expect, it } from 'vitest';
import type { ClusterMapState } from '../../shared/cluster-map';
import { parseMapRecording, stateAt } from './replay-map';

const state = (at: number, tasks: number): ClusterMapState => ({
  at,
  manager: 'manager1',
  nodes: [{ name: 'manager1', role: 'manager', leader: true, availability: 'active', state: 'ready', machine: 'running' }],
  services: [{ id: 's1', name: 'web', mode: 'replicated', replicas: tasks, colour: 0, healthcheck: false }],
  tasks: Array.from({ length: tasks }, (_, i) => ({ id: `t${i}`, service: 's1', slot: i + 1, node: 'manager1', phase: 'running' as const, state: 'running' })),
});

describe('replayed map states', () => {
  const recording = parseMapRecording({ version: 1, states: [[0, state(1, 0)], [2.5, state(2, 1)], [4, state(3, 3)]] })!;

  it('shows the last state recorded before the player’s time', () => {
    expect(stateAt(recording, 0).tasks).toHaveLength(0);
    expect(stateAt(recording, 2.49).tasks).toHaveLength(0);
    expect(stateAt(recording, 2.5).tasks).toHaveLength(1);
    expect(stateAt(recording, 99).tasks).toHaveLength(3);
  });

  it('an older or foreign file gives no map (the cast plays alone)', () => {
    expect(parseMapRecording({ version: 2, states: [] })).toBeNull();
    expect(parseMapRecording({ version: 1, states: [] })).toBeNull();
    expect(parseMapRecording({ version: 1, states: [[0, { nodes: 'x' }]] })).toBeNull();
    expect(parseMapRecording('nope')).toBeNull();
  });
});
