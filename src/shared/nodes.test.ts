import { describe, expect, it } from 'vitest';
import { byNodeOrder, isNodeName, nodesOfShape, roleOf } from './nodes';

describe('node names', () => {
  it('accepts manager1…9 and worker1…9 only', () => {
    for (const ok of ['manager1', 'manager9', 'worker1', 'worker9']) expect(isNodeName(ok)).toBe(true);
    for (const bad of ['manager0', 'manager10', 'worker', 'Manager1', 'node1', ' worker1', 'worker1 ']) expect(isNodeName(bad)).toBe(false);
  });

  it('reads the role from the name', () => {
    expect(roleOf('manager3')).toBe('manager');
    expect(roleOf('worker2')).toBe('worker');
  });

  it('lists the nodes of a shape, managers first', () => {
    expect(nodesOfShape({ managers: 2, workers: 1 })).toEqual([
      { name: 'manager1', role: 'manager' },
      { name: 'manager2', role: 'manager' },
      { name: 'worker1', role: 'worker' },
    ]);
    expect(nodesOfShape({ managers: 1, workers: 0 })).toEqual([{ name: 'manager1', role: 'manager' }]);
    expect(nodesOfShape({ managers: 0, workers: 0 })).toEqual([]);
  });

  it('sorts managers first, then by number (worker10 after worker9)', () => {
    const nodes = [
      { name: 'worker10', role: 'worker' as const },
      { name: 'worker2', role: 'worker' as const },
      { name: 'manager2', role: 'manager' as const },
      { name: 'manager1', role: 'manager' as const },
    ];
    expect([...nodes].sort(byNodeOrder).map((n) => n.name)).toEqual(['manager1', 'manager2', 'worker2', 'worker10']);
  });
});
