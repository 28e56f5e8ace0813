import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/shared/poll';
import { fixtureContext, loadSnapshot } from './fixture-context';
import { converge, evaluate, type ConditionResult } from './index';
import { condition } from './testing';
import type { CheckContext } from './types';

/** A clock whose sleeps advance time at once. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
}

/** A cluster that moves: the `empty` state for the first looks, then `deployed`. */
function movingContext(looksBefore: number): CheckContext {
  const before = fixtureContext(loadSnapshot('empty'));
  const after = fixtureContext(loadSnapshot('deployed'));
  let looks = 0;
  return {
    ...before,
    manager: () => (looks++ < looksBefore ? before : after).manager(),
  };
}

const web = condition({ kind: 'service', service: 'web', replicas: 3, timeout: 10 });
const swarm = condition({ kind: 'swarm', nodes: 3 });

describe('converge', () => {
  it('without waiting, looks once at every condition', async () => {
    const clock = fakeClock();
    const progress: ConditionResult[][] = [];
    const results = await converge([swarm, web], fixtureContext(loadSnapshot('empty')), { wait: false, clock, onProgress: (r) => progress.push(r) });
    expect(results.map((r) => [r.index, r.kind, r.ok])).toEqual([
      [0, 'swarm', true],
      [1, 'service', false],
    ]);
    expect(results[1]).toMatchObject({ message: 'Condition de test.', hints: [], observed: 'le service « web » introuvable', expected: 'un service nommé « web »' });
    expect(progress).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });

  it('polls a failing condition until it passes, and stops looking at passed ones', async () => {
    const clock = fakeClock();
    const results = await converge([web], movingContext(3), { wait: true, clock });
    expect(results[0]).toMatchObject({ ok: true, elapsedMs: 3_000, observed: 'réplicas demandés : 3 réplicas' });
    expect(clock.slept).toEqual([1_000, 1_000, 1_000]);
  });

  it('gives up on a condition at its own timeout, reporting the last observation', async () => {
    const clock = fakeClock();
    const rounds: number[] = [];
    const results = await converge([swarm, web], fixtureContext(loadSnapshot('empty')), { wait: true, clock, intervalMs: 2_000, onProgress: () => rounds.push(clock.now()) });
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(results[1]!.elapsedMs).toBe(10_000);
    expect(rounds).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000]);
  });

  it('uses the default timeout when a condition has none', async () => {
    const clock = fakeClock();
    const results = await converge([condition({ kind: 'service', service: 'web' })], fixtureContext(loadSnapshot('empty')), { wait: true, clock, defaultTimeoutSec: 3 });
    expect(results[0]!.elapsedMs).toBe(3_000);
  });

  it('stops at once when the caller aborts (the browser closed the request)', async () => {
    const clock = fakeClock();
    const abort = new AbortController();
    abort.abort();
    const results = await converge([web], fixtureContext(loadSnapshot('empty')), { wait: true, clock, signal: abort.signal });
    expect(results[0]!.ok).toBe(false);
    expect(clock.slept).toEqual([]);
  });
});

describe('evaluate', () => {
  it('turns « no manager » into an observation, for every kind of check', async () => {
    const seen = await evaluate(web, fixtureContext(loadSnapshot('bare')));
    expect(seen).toEqual({
      ok: false,
      observed: 'aucun manager de swarm ne répond (manager1 : hors swarm, worker1 : hors swarm, worker2 : hors swarm)',
      expected: 'un swarm qui répond',
    });
  });

  it('says when the cluster does not exist at all', async () => {
    const snapshot = loadSnapshot('empty');
    snapshot.nodes = [];
    expect((await evaluate(web, fixtureContext(snapshot))).observed).toBe('le cluster n’existe pas (encore)');
  });

  it('turns an API failure into an observation that names it', async () => {
    const seen = await evaluate(condition({ kind: 'exec', run: 'uptime' }), fixtureContext(loadSnapshot('empty')));
    expect(seen).toEqual({
      ok: false,
      observed: 'erreur de l’API Docker : commande non enregistrée sur manager1 : ["sh","-c","uptime"]',
      expected: 'un swarm qui répond',
    });
  });
});
