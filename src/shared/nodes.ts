// The course's node names, one rule for the server, the lab files and the browser: managers are
// `manager1`…`manager9`, workers `worker1`…`worker9`, and the name says the role. Pure: no I/O.

export type NodeRole = 'manager' | 'worker';

export interface NamedNode {
  name: string;
  role: NodeRole;
}

/** A node name: `manager1`…`manager9` or `worker1`…`worker9`. */
export const NODE_NAME = /^(manager|worker)[1-9]$/;

/** The French hint that goes with a refused node name. */
export const NODE_NAME_HINT = 'nom de nœud attendu : manager1…manager9 ou worker1…worker9';

export function isNodeName(name: string): boolean {
  return NODE_NAME.test(name);
}

/** The role a node name says (`manager2` → manager). */
export function roleOf(name: string): NodeRole {
  return name.startsWith('manager') ? 'manager' : 'worker';
}

/** The nodes of a shape, managers first: `manager1…managerM`, then `worker1…workerW`. */
export function nodesOfShape(shape: { managers: number; workers: number }): NamedNode[] {
  return [
    ...Array.from({ length: shape.managers }, (_, i) => ({ name: `manager${i + 1}`, role: 'manager' as const })),
    ...Array.from({ length: shape.workers }, (_, i) => ({ name: `worker${i + 1}`, role: 'worker' as const })),
  ];
}

/** Sort order of nodes everywhere they are listed: managers first, then by number. */
export function byNodeOrder(a: NamedNode, b: NamedNode): number {
  if (a.role !== b.role) return a.role === 'manager' ? -1 : 1;
  return a.name.localeCompare(b.name, 'en', { numeric: true });
}
