import type { Condition } from '../../src/labs/schema';
import { AVAILABILITY } from '../../src/labs/criteria';
import { Comparison, missing, nodeState } from './comparison';
import { listNodes } from './swarm-objects';
import type { CheckContext, Observation } from './types';

type NodeCondition = Extract<Condition, { kind: 'node' }>;

/** A manager's place in the Raft group, as `docker node ls` shows it (MANAGER STATUS), in French. */
const REACHABILITY: Record<string, string> = { reachable: 'joignable (Reachable)', unreachable: 'injoignable (Unreachable)', unknown: 'inconnu (Unknown)' };


export async function checkNode(c: NodeCondition, ctx: CheckContext): Promise<Observation> {
  const nodes = await listNodes(await ctx.manager());
  const node = nodes.find((n) => n.Description?.Hostname === c.node);
  if (!node) return missing(`le nœud ${c.node} dans le swarm`, `${c.node} membre du swarm`);
  const cmp = new Comparison();
  if (c.role) cmp.add('rôle', node.Spec?.Role ?? '?', c.role);
  if (c.availability) cmp.add('disponibilité', AVAILABILITY[node.Spec?.Availability ?? ''] ?? '?', AVAILABILITY[c.availability]!);
  if (c.state) cmp.add('état', nodeState(node.Status?.State), nodeState(c.state));
  if (c.leader !== undefined) {
    const isLeader = Boolean(node.ManagerStatus?.Leader);
    cmp.add('leader', isLeader ? 'oui' : 'non', c.leader ? 'oui' : 'non');
  }
  if (c.reachable !== undefined) {
    const reach = node.ManagerStatus?.Reachability;
    cmp.add('statut de manager', reach ? (REACHABILITY[reach] ?? reach) : 'pas manager', c.reachable ? REACHABILITY.reachable! : REACHABILITY.unreachable!, (reach === 'reachable') === c.reachable && reach !== undefined);
  }
  if (c.labels) {
    const actual = node.Spec?.Labels ?? {};
    for (const [key, value] of Object.entries(c.labels)) {
      cmp.add(`label ${key}`, key in actual ? actual[key]! : 'absent', value);
    }
  }
  return cmp.result();
}
