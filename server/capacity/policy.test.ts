import { describe, expect, it } from 'vitest';
import { AdmissionQueue, capacityFromHost, frozenHeartbeatMs, idleAction, NODE_COST, QueueFullError, waitingMessage, type IdleFacts } from './policy';

/** A clock that moves only when told. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('capacity derived from the host', () => {
  it('takes the smaller of the memory and core budgets (this machine: 24 GiB, 2 cores, 3 nodes)', () => {
    const c = capacityFromHost({ memBytes: 24 * 1024 ** 3, cpus: 2 }, 3);
    expect(c.byMemory).toBe(Math.floor((0.75 * 24 * 1024) / (3 * NODE_COST.memoryMB + NODE_COST.registryMB)));
    expect(c.byCpu).toBe(Math.floor((0.75 * 2) / (3 * NODE_COST.cpu)));
    expect(c.limit).toBe(Math.min(c.byMemory, c.byCpu));
    expect(c.limit).toBe(33);
  });

  it('memory bounds a small machine, and the limit is never below one', () => {
    expect(capacityFromHost({ memBytes: 4 * 1024 ** 3, cpus: 16 }, 3).limit).toBe(6);
    expect(capacityFromHost({ memBytes: 256 * 1024 ** 2, cpus: 1 }, 5).limit).toBe(1);
  });
});

describe('the admission queue', () => {
  const queue = (limit: number, c = clock()) => ({ q: new AdmissionQueue({ limit, now: c.now, staleMs: 30_000 }), c });

  it('admits up to the limit, then gives places in arrival order', () => {
    const { q } = queue(2);
    expect(q.admit('a', false)).toEqual({ admitted: true });
    expect(q.admit('b', false)).toEqual({ admitted: true });
    expect(q.admit('c', false)).toEqual({ admitted: false, place: 1, waiting: 1 });
    expect(q.admit('d', false)).toEqual({ admitted: false, place: 2, waiting: 2 });
    expect(q.admit('e', false)).toEqual({ admitted: false, place: 3, waiting: 3 });
    // Asking again keeps one's place.
    expect(q.admit('d', false)).toEqual({ admitted: false, place: 2, waiting: 3 });
    expect(q.admit('a', false)).toEqual({ admitted: true });
  });

  it('a freed slot admits the first in line, not whoever asks first', () => {
    const { q } = queue(1);
    q.admit('a', false);
    q.admit('b', false);
    q.admit('c', false);
    q.release('a');
    expect(q.admit('c', false)).toEqual({ admitted: false, place: 2, waiting: 2 });
    expect(q.admit('b', false)).toEqual({ admitted: true });
    expect(q.admit('c', false)).toEqual({ admitted: false, place: 1, waiting: 1 });
  });

  it('never queues a priority caller (the instructor), even above the limit', () => {
    const { q } = queue(1);
    q.admit('a', false);
    q.admit('b', false);
    expect(q.admit('formateur', true)).toEqual({ admitted: true });
    expect(q.holds('formateur')).toBe(true);
    // Not counted in the learners' limit either.
    expect(q.used).toBe(1);
    expect(q.admit('b', false)).toMatchObject({ admitted: false, place: 1 });
    q.release('a');
    expect(q.admit('b', false)).toEqual({ admitted: true });
  });

  it('drops a learner who stopped asking (tab closed): the next one moves up', () => {
    const { q, c } = queue(1);
    q.admit('a', false);
    q.admit('b', false);
    c.advance(10_000);
    q.admit('c', false);
    c.advance(25_000); // b last asked 35 s ago, c 25 s ago
    expect(q.admit('c', false)).toEqual({ admitted: false, place: 1, waiting: 1 });
    expect(q.waiting()).toEqual(['c']);
  });

  it('counts ready pre-warmed clusters as slots that can be handed over', () => {
    const { q } = queue(2);
    q.hold('pool-1');
    q.hold('pool-2');
    expect(q.admit('a', false, 2)).toEqual({ admitted: true });
    q.release('pool-1');
    expect(q.admit('b', false, 1)).toEqual({ admitted: true });
    q.release('pool-2');
    expect(q.admit('c', false, 0)).toMatchObject({ admitted: false, place: 1 });
  });

  it('transfer moves a slot from a pool cluster to a learner', () => {
    const { q } = queue(1);
    q.hold('pool-1');
    q.transfer('pool-1', 'a');
    expect(q.holds('a')).toBe(true);
    expect(q.holds('pool-1')).toBe(false);
    expect(q.used).toBe(1);
  });
});

describe('idle clusters', () => {
  const rules = { freezeAfterMs: 600_000, reclaimAfterMs: 7_200_000 };
  const facts = (f: Partial<IdleFacts>): IdleFacts => ({ idleMs: 0, frozen: false, connected: false, canFreeze: true, ...f });

  it('freezes after the freeze delay, once', () => {
    expect(idleAction(rules, facts({ idleMs: 599_999 }))).toBeNull();
    expect(idleAction(rules, facts({ idleMs: 600_000 }))).toBe('freeze');
    expect(idleAction(rules, facts({ idleMs: 900_000, frozen: true }))).toBeNull();
  });

  it('never freezes on a driver that cannot, or when freezing is off', () => {
    expect(idleAction(rules, facts({ idleMs: 900_000, canFreeze: false }))).toBeNull();
    expect(idleAction({ ...rules, freezeAfterMs: 0 }, facts({ idleMs: 900_000 }))).toBeNull();
  });

  it('reclaims after the longer delay, frozen or not, but not while a browser shows a terminal', () => {
    expect(idleAction(rules, facts({ idleMs: 7_200_000, frozen: true }))).toBe('reclaim');
    expect(idleAction(rules, facts({ idleMs: 7_200_000, canFreeze: false }))).toBe('reclaim');
    expect(idleAction(rules, facts({ idleMs: 9_000_000, frozen: true, connected: true }))).toBeNull();
    expect(idleAction({ ...rules, reclaimAfterMs: 0 }, facts({ idleMs: 9e9, frozen: true }))).toBeNull();
  });

  it('the frozen heartbeat period outlasts the longest freeze three times over', () => {
    expect(frozenHeartbeatMs(rules) * 3).toBeGreaterThan(rules.reclaimAfterMs);
    expect(frozenHeartbeatMs({ freezeAfterMs: 5_000, reclaimAfterMs: 60_000 })).toBe(600_000);
    expect(frozenHeartbeatMs({ freezeAfterMs: 600_000, reclaimAfterMs: 0 }) * 3).toBeGreaterThan(24 * 3600_000);
  });
});

describe('the waiting message', () => {
  it('says the place in French, with its typography', () => {
    expect(waitingMessage(3)).toBe(
      'Tous les postes sont occupés\u00a0: vous êtes 3ᵉ dans la file d’attente. Votre cluster sera créé dès qu’un poste se libère\u202f; cette page réessaie toute seule.',
    );
    expect(waitingMessage(1)).toContain('vous êtes en tête de la file d’attente');
  });

  it('the 503 body carries the place and when to ask again', () => {
    expect(new QueueFullError(2, 4, 5).body()).toEqual({ error: waitingMessage(2), queue: { place: 2, waiting: 4, retryAfter: 5 } });
  });
});
