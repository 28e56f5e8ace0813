import type { Condition } from '../../src/labs/schema';
import { Comparison } from './comparison';
import type { CheckContext, Observation } from './types';

type ExecCondition = Extract<Condition, { kind: 'exec' }>;

/** The generic check: a read-only command of the lab's own on a node. */
export async function checkExec(c: ExecCondition, ctx: CheckContext): Promise<Observation> {
  const result = await ctx.exec(c.node, ['sh', '-c', c.run]);
  const output = (result.stdout + result.stderr).trim();
  const cmp = new Comparison().add('code de sortie', String(result.code), String(c.exitCode));
  if (c.output !== undefined) {
    const short = output.length > 200 ? `${output.slice(0, 200)}…` : output;
    cmp.add('sortie', short ? `« ${short} »` : 'vide', `correspond à /${c.output}/`, new RegExp(c.output, 'm').test(output));
  }
  return cmp.result();
}
