import type { SwarmNode } from './swarm-objects';

/**
 * Placement constraints as Swarm evaluates them (SwarmKit's `constraint` package): `KEY==VALUE`
 * or `KEY!=VALUE`, spaces around the operator ignored, values compared case-insensitively, every
 * constraint of a service must hold (AND). The checker judges what a learner's constraint admits,
 * whatever its spelling.
 */
export interface Constraint {
  key: string;
  operator: '==' | '!=';
  value: string;
}

const KEY = /^[a-z_][a-z0-9\-_.]*$/i;

/** Parses one constraint; `undefined` when Swarm would refuse it too. */
export function parseConstraint(text: string): Constraint | undefined {
  const m = /^(.*?)(==|!=)(.*)$/.exec(text);
  if (!m) return undefined;
  const key = m[1]!.trim();
  const value = m[3]!.trim();
  if (!KEY.test(key) || value === '' || /[=!]/.test(value)) return undefined;
  return { key, operator: m[2] as '==' | '!=', value };
}

/** The same constraint written the same way: `node.labels.disk == ssd` → `node.labels.disk==ssd`. */
export function canonicalConstraint(text: string): string {
  const c = parseConstraint(text);
  if (!c) return text.trim();
  const key = c.key.replace(/^(node|engine)\.labels\./i, (p) => p.toLowerCase());
  const lower = /^(node\.labels|engine\.labels)\./i.test(key) ? key : key.toLowerCase();
  return `${lower}${c.operator}${c.value.toLowerCase()}`;
}

/** The values a node offers for a constraint key (none: the key does not apply to it). */
function nodeValues(node: SwarmNode, key: string): string[] {
  const lower = key.toLowerCase();
  const labelOf = (prefix: string, labels: Record<string, string> | undefined) => {
    const name = key.slice(prefix.length);
    const value = labels?.[name];
    return value === undefined ? [] : [value];
  };
  if (lower.startsWith('node.labels.')) return labelOf('node.labels.', node.Spec?.Labels);
  if (lower.startsWith('engine.labels.')) return labelOf('engine.labels.', node.Description?.Engine?.Labels);
  switch (lower) {
    case 'node.id':
      return [node.ID];
    case 'node.hostname':
      return node.Description?.Hostname ? [node.Description.Hostname] : [];
    case 'node.role':
      return node.Spec?.Role ? [node.Spec.Role] : [];
    case 'node.platform.os':
      return node.Description?.Platform?.OS ? [node.Description.Platform.OS] : [];
    case 'node.platform.arch':
      return node.Description?.Platform?.Architecture ? [node.Description.Platform.Architecture] : [];
    case 'node.ip':
      return node.Status?.Addr ? [node.Status.Addr] : [];
    default:
      return [];
  }
}

/** Does the node satisfy every constraint? An unparsable constraint admits no node (Swarm refuses it). */
export function admits(node: SwarmNode, constraints: string[]): boolean {
  return constraints.every((text) => {
    const c = parseConstraint(text);
    if (!c) return false;
    const match = nodeValues(node, c.key).some((v) => v.toLowerCase() === c.value.toLowerCase());
    return c.operator === '==' ? match : !match;
  });
}

/** Hostnames of the nodes a set of constraints admits, sorted. */
export function eligibleNodes(nodes: SwarmNode[], constraints: string[]): string[] {
  return nodes
    .filter((n) => admits(n, constraints))
    .map((n) => n.Description?.Hostname ?? n.ID)
    .sort();
}
