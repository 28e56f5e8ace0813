import type { Condition } from '../../src/labs/schema';
import { Comparison, list } from './comparison';
import type { Service } from './swarm-objects';
import type { CheckContext, Observation } from './types';

type StackCondition = Extract<Condition, { kind: 'stack' }>;
const NAMESPACE = 'com.docker.stack.namespace';

export async function checkStack(c: StackCondition, ctx: CheckContext): Promise<Observation> {
  const manager = await ctx.manager();
  const services = (await manager.listServices({ filters: { label: [`${NAMESPACE}=${c.name}`] } })) as unknown as Service[];
  const names = services.map((s) => s.Spec.Name).sort();
  const cmp = new Comparison();
  if (!c.exists) return cmp.add(`stack ${c.name}`, names.length ? `déployée (${list(names)})` : 'absente', 'absente').result();
  cmp.add(`stack ${c.name}`, names.length ? 'déployée' : 'absente', 'déployée');
  if (c.services) {
    const wanted = c.services.map((s) => (s.startsWith(`${c.name}_`) ? s : `${c.name}_${s}`));
    cmp.add('services', list(names), list(wanted), wanted.every((w) => names.includes(w)));
  }
  return cmp.result();
}
