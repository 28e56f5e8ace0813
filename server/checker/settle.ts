import { poll, type Clock } from '../../src/shared/poll';
import { isQuorumLoss } from './quorum';
import { isRunning, type Service, type Task } from './swarm-objects';
import type { CheckContext } from './types';

const TRANSITIONAL = new Set(['new', 'allocated', 'assigned', 'accepted', 'ready', 'preparing', 'starting']);
const MOVING_UPDATES = new Set(['updating', 'rollback_started']);

/**
 * Waits until the swarm stops moving: no service mid-update, no task in a transitional state,
 * every replicated service at its replica count or blocked by pending tasks, seen twice in a
 * row. Used before judging a state that must FAIL (a wrong solution), where waiting for
 * success would only wait for the timeout.
 */
export async function waitForSettled(ctx: CheckContext, maxMs: number, clock?: Clock): Promise<boolean> {
  let calm = 0;
  return poll(
    async () => {
      calm = (await isSettled(ctx)) ? calm + 1 : 0;
      return calm >= 2;
    },
    { timeoutMs: maxMs, intervalMs: 1000, clock },
  );
}

/**
 * One look: nothing is moving in the swarm now (false when no manager answers). A swarm that
 * lost its quorum is settled: without a leader nothing is scheduled until a manager returns.
 */
export async function isSettled(ctx: CheckContext): Promise<boolean> {
  try {
    const manager = await ctx.manager();
    const services = (await manager.listServices()) as unknown as Service[];
    const tasks = (await manager.listTasks()) as unknown as Task[];
    return services.every((s) => {
      if (MOVING_UPDATES.has(s.UpdateStatus?.State ?? '')) return false;
      const mine = tasks.filter((t) => t.ServiceID === s.ID && t.DesiredState === 'running');
      if (mine.some((t) => TRANSITIONAL.has(t.Status?.State ?? ''))) return false;
      const wanted = s.Spec.Mode?.Replicated?.Replicas;
      const running = mine.filter(isRunning).length;
      const pending = mine.filter((t) => t.Status?.State === 'pending').length;
      return wanted === undefined || running + pending >= wanted;
    });
  } catch (error) {
    return isQuorumLoss(error);
  }
}
