import { KERNEL_FEATURES, missingFeatureText, type KernelCondition } from '../../src/labs/kernel-features';
import type { CheckContext, Observation } from './types';

export type { KernelFeature } from '../../src/labs/kernel-features';

export async function checkKernel(c: KernelCondition, ctx: CheckContext): Promise<Observation> {
  const f = KERNEL_FEATURES[c.feature];
  const result = await ctx.exec(c.node, ['sh', '-c', f.probe]);
  const ok = result.code === 0;
  return { ok, observed: ok ? `${f.name} présent` : missingFeatureText(c.feature), expected: `${f.name} dans le noyau` };
}
