import type { Condition } from '../../src/labs/schema';
import { poll, systemClock, type Clock } from '../../src/shared/poll';
import { checkExec } from './exec';
import { checkFile } from './files';
import { checkKernel } from './kernel';
import { checkNetwork } from './network';
import { checkNode } from './node';
import { checkService } from './service';
import { checkStack } from './stack';
import { checkSwarm } from './swarm';
import { checkTasks } from './tasks';
import { NoManagerError, type CheckContext, type Observation } from './types';
import { checkVolume } from './volume';

export { driverContext } from './context';
export type { CheckContext, Observation } from './types';

export interface ConditionResult extends Observation {
  index: number;
  kind: Condition['kind'];
  /** The lab's French message: what the learner must achieve. */
  message: string;
  hints: string[];
  elapsedMs: number;
}

/** One read-only evaluation of a condition; failures of the API become observations. */
export async function evaluate(condition: Condition, ctx: CheckContext): Promise<Observation> {
  try {
    switch (condition.kind) {
      case 'swarm':
        return await checkSwarm(condition, ctx);
      case 'node':
        return await checkNode(condition, ctx);
      case 'service':
        return await checkService(condition, ctx);
      case 'tasks':
        return await checkTasks(condition, ctx);
      case 'secret':
      case 'config':
        return await checkFile(condition, ctx);
      case 'network':
        return await checkNetwork(condition, ctx);
      case 'stack':
        return await checkStack(condition, ctx);
      case 'volume':
        return await checkVolume(condition, ctx);
      case 'exec':
        return await checkExec(condition, ctx);
      case 'kernel':
        return await checkKernel(condition, ctx);
    }
  } catch (error) {
    const reason = error instanceof NoManagerError ? error.message : `erreur de l’API Docker : ${(error as Error).message}`;
    return { ok: false, observed: reason, expected: 'un swarm qui répond' };
  }
}

export interface ConvergeOptions {
  /** Poll until every condition passes or its timeout ends (Swarm converges); false: one look. */
  wait: boolean;
  defaultTimeoutSec?: number;
  intervalMs?: number;
  onProgress?(results: ConditionResult[]): void;
  signal?: AbortSignal;
  clock?: Clock;
}

/** Evaluates conditions, polling those that fail until they pass or time out. */
export async function converge(conditions: Condition[], ctx: CheckContext, opts: ConvergeOptions): Promise<ConditionResult[]> {
  const clock = opts.clock ?? systemClock;
  const started = clock.now();
  const timeoutMs = (c: Condition) => (opts.wait ? (c.timeout ?? opts.defaultTimeoutSec ?? 20) * 1000 : 0);
  const results: ConditionResult[] = conditions.map((c, index) => ({
    index,
    kind: c.kind,
    message: c.message,
    hints: c.hints,
    ok: false,
    observed: 'pas encore vérifié',
    expected: '',
    elapsedMs: 0,
  }));
  await poll(
    async () => {
      for (const [i, c] of conditions.entries()) {
        if (results[i]!.ok) continue;
        const seen = await evaluate(c, ctx);
        results[i] = { ...results[i]!, ...seen, elapsedMs: clock.now() - started };
      }
      opts.onProgress?.(results.map((r) => ({ ...r })));
      // Done when no failing condition has time left.
      return conditions.every((c, i) => results[i]!.ok || clock.now() - started >= timeoutMs(c));
    },
    { timeoutMs: Math.max(0, ...conditions.map(timeoutMs)), intervalMs: opts.intervalMs ?? 1000, signal: opts.signal, clock },
  );
  return results;
}
export { waitForSettled } from './settle';
