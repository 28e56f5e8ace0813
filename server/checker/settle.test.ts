import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/shared/poll';
import { fixtureContext, loadSnapshot } from './fixture-context';
import { isSettled, waitForSettled } from './settle';
import type { Task } from './swarm-objects';
import { edited, service } from './testing';
import type { CheckContext } from './types';

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
}

describe('isSettled (recorded states)', () => {
  it('a converged swarm is settled, pending tasks included (they wait for a node, not for time)', async () => {
    expect(await isSettled(fixtureContext(loadSnapshot('empty')))).toBe(true);
    expect(await isSettled(fixtureContext(loadSnapshot('deployed')))).toBe(true);
  });

  it('a swarm without a manager is not', async () => {
    expect(await isSettled(fixtureContext(loadSnapshot('bare')))).toBe(false);
  });

  it('a service in the middle of an update is not', async () => {
    const updating = edited('deployed', (s) => {
      service(s, 'web').UpdateStatus = { State: 'updating' };
    });
    expect(await isSettled(fixtureContext(updating))).toBe(false);
  });

  it('a task still starting is not', async () => {
    const starting = edited('deployed', (s) => {
      const web = service(s, 'web');
      const task = (s.swarm!.tasks as Task[]).find((t) => t.ServiceID === web.ID && t.DesiredState === 'running')!;
      task.Status = { ...task.Status, State: 'starting' };
    });
    expect(await isSettled(fixtureContext(starting))).toBe(false);
  });

  it('a replicated service short of tasks, none pending, is not', async () => {
    const short = edited('deployed', (s) => {
      const web = service(s, 'web');
      s.swarm!.tasks = (s.swarm!.tasks as Task[]).filter((t) => t.ServiceID !== web.ID);
    });
    expect(await isSettled(fixtureContext(short))).toBe(false);
  });
});

describe('waitForSettled', () => {
  it('needs two calm looks in a row, one second apart', async () => {
    const clock = fakeClock();
    expect(await waitForSettled(fixtureContext(loadSnapshot('empty')), 30_000, clock)).toBe(true);
    expect(clock.slept).toEqual([1_000]);
  });

  it('starts counting again after a look that moves', async () => {
    const clock = fakeClock();
    const calm = fixtureContext(loadSnapshot('empty'));
    const moving = fixtureContext(loadSnapshot('bare'));
    const looks = [calm, moving, calm, calm];
    let n = 0;
    const ctx: CheckContext = { ...calm, manager: () => (looks[n++] ?? calm).manager() };
    expect(await waitForSettled(ctx, 30_000, clock)).toBe(true);
    expect(n).toBe(4);
  });

  it('gives up at the deadline when the swarm keeps moving', async () => {
    const clock = fakeClock();
    expect(await waitForSettled(fixtureContext(loadSnapshot('bare')), 5_000, clock)).toBe(false);
    expect(clock.now()).toBe(5_000);
  });
});
