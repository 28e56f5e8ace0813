import type { Condition } from '../../src/labs/schema';
import { Comparison, nodeState, plural } from './comparison';
import { leaderlessRefusal } from './quorum';
import { listNodes } from './swarm-objects';
import { NoManagerError, type CheckContext, type Observation } from './types';

type SwarmCondition = Extract<Condition, { kind: 'swarm' }>;

const QUORUM = 'un leader élu';
const NO_QUORUM = 'perdu, aucun leader';

export async function checkSwarm(c: SwarmCondition, ctx: CheckContext): Promise<Observation> {
  let manager;
  try {
    manager = await ctx.manager();
  } catch (error) {
    if (!(error instanceof NoManagerError)) throw error;
    return new Comparison().add('swarm', error.message, c.active ? 'un swarm actif' : 'aucun swarm', !c.active).result();
  }
  const cmp = new Comparison().add('swarm', 'actif', c.active ? 'actif' : 'aucun swarm');
  if (c.quorum !== undefined) {
    const expected = c.quorum ? QUORUM : NO_QUORUM;
    const refusal = await leaderlessRefusal(manager);
    if (refusal !== undefined) {
      cmp.add('quorum', `${NO_QUORUM} (« ${refusal} »)`, expected, !c.quorum);
      // Without a leader nothing else of the swarm can be read.
      const unreadable = [c.nodes, c.managers, c.workers, c.ready, c.leader].some((v) => v !== undefined);
      if (unreadable) cmp.add('nœuds', 'illisibles sans leader', 'lisibles', false);
      return cmp.result();
    }
    cmp.add('quorum', QUORUM, expected);
  }
  const nodes = await listNodes(manager);
  const managers = nodes.filter((n) => n.Spec?.Role === 'manager');
  const ready = nodes.filter((n) => n.Status?.State === 'ready');
  if (c.nodes !== undefined) cmp.add('nœuds', plural(nodes.length, 'nœud'), plural(c.nodes, 'nœud'));
  if (c.managers !== undefined) cmp.add('managers', plural(managers.length, 'manager'), plural(c.managers, 'manager'));
  if (c.workers !== undefined) cmp.add('workers', plural(nodes.length - managers.length, 'worker'), plural(c.workers, 'worker'));
  if (c.ready !== undefined) {
    const notReady = nodes.filter((n) => n.Status?.State !== 'ready').map((n) => `${n.Description?.Hostname} ${nodeState(n.Status?.State)}`);
    const notReadyLine = `${notReady.length > 1 ? 'pas prêts' : 'pas prêt'} : ${notReady.join(', ')}`;
    cmp.add('état', notReady.length ? notReadyLine : 'tous prêts', c.ready ? 'tous prêts' : 'au moins un nœud pas prêt', (ready.length === nodes.length) === c.ready);
  }
  if (c.leader !== undefined) {
    const leader = nodes.find((n) => n.ManagerStatus?.Leader)?.Description?.Hostname ?? 'aucun';
    cmp.add('leader', leader, c.leader);
  }
  return cmp.result(`${ready.length}/${nodes.length} nœuds prêts`);
}
