import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureContext, loadSnapshot } from '../checker/fixture-context';
import { parseLab } from '../../src/labs/loader';
import type { Clock } from '../../src/shared/poll';
import { ProgressStore } from './progress';
import { checkExercise, failureMessage, findExercise, shapeOf } from './runner';

const LAB = parseLab(
  'demo',
  'labs/demo/lab.yaml',
  `title: Démo
summary: Un TP pour les tests du runner.
cluster: { managers: 1, workers: 2, labels: { worker1: { disk: ssd } } }
exercises:
  - id: swarm
    title: Le swarm
    instructions: Rien à faire.
    conditions:
      - { kind: swarm, nodes: 3, ready: true, message: Trois nœuds prêts. }
    solution: [{ run: docker node ls }]
  - id: web
    title: Le service web
    instructions: Créez-le.
    conditions:
      - { kind: swarm, message: Un swarm actif. }
      - { kind: service, service: web, replicas: 3, timeout: 5, message: Trois répliques de web. }
    solution: [{ run: docker service create --name web --replicas 3 nginx:alpine }]
`,
);

/** A clock that jumps forward when the checker sleeps: a 5 s timeout costs no real time. */
function fakeClock(start = Date.parse('2026-12-01T21:00:00Z')): Clock {
  let t = start;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

describe('lab runner logic (no engine)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dec-runner-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finds an exercise by id, the first one without an id, and names the others when it is unknown', () => {
    expect(findExercise(LAB, 'web').id).toBe('web');
    expect(findExercise(LAB).id).toBe('swarm');
    expect(() => findExercise(LAB, 'nope')).toThrow('le TP « demo » n’a pas d’exercice « nope » (exercices : swarm, web)');
  });

  it('asks the driver for the shape the lab declares', () => {
    expect(shapeOf(LAB)).toEqual({ managers: 1, workers: 2, swarm: 'ready', labels: { worker1: { disk: 'ssd' } } });
  });

  it('reports a passing check and records the pass in the learner’s progress', async () => {
    const progress = new ProgressStore(dir);
    const clock = fakeClock();
    const report = await checkExercise(progress, 'alice', LAB, findExercise(LAB, 'swarm'), fixtureContext(loadSnapshot('empty')), { wait: true, clock });
    expect(report).toMatchObject({ lab: 'demo', exercise: 'swarm', ok: true, checkedAt: '2026-12-01T21:00:00.000Z' });
    expect(report.conditions).toHaveLength(1);
    expect(await new ProgressStore(dir).get('alice')).toEqual({
      exercises: { 'demo/swarm': { attempts: 1, lastCheckAt: '2026-12-01T21:00:00.000Z', passedAt: '2026-12-01T21:00:00.000Z' } },
    });
  });

  it('counts a failed attempt without a pass, and keeps the first pass afterwards', async () => {
    const progress = new ProgressStore(dir);
    const clock = fakeClock();
    const exercise = findExercise(LAB, 'web');
    const failed = await checkExercise(progress, 'alice', LAB, exercise, fixtureContext(loadSnapshot('empty')), { wait: true, clock });
    expect(failed.ok).toBe(false);
    expect(failed.conditions.map((c) => c.ok)).toEqual([true, false]);
    // The failing condition was polled until its own 5 s timeout.
    expect(failed.conditions[1]!.elapsedMs).toBe(5_000);
    // The failure is kept for the cockpit: when, and the first unmet condition's message with what was observed.
    const lastFailure = { at: '2026-12-01T21:00:05.000Z', message: `${failed.conditions[1]!.message} (observé\u00a0: ${failed.conditions[1]!.observed})` };
    expect(failureMessage(failed.conditions)).toBe(lastFailure.message);
    expect((await progress.get('alice')).exercises['demo/web']).toEqual({ attempts: 1, lastCheckAt: '2026-12-01T21:00:05.000Z', lastFailure });

    const passed = await checkExercise(progress, 'alice', LAB, exercise, fixtureContext(loadSnapshot('deployed')), { wait: false, clock });
    expect(passed.ok).toBe(true);
    await checkExercise(progress, 'alice', LAB, exercise, fixtureContext(loadSnapshot('deployed')), { wait: false, clock: fakeClock(Date.parse('2026-12-02T08:00:00Z')) });
    expect((await new ProgressStore(dir).get('alice')).exercises['demo/web']).toEqual({
      attempts: 3,
      lastCheckAt: '2026-12-02T08:00:00.000Z',
      passedAt: '2026-12-01T21:00:05.000Z',
      lastFailure,
    });
  });

  it('streams every polling round to onProgress', async () => {
    const rounds: boolean[][] = [];
    await checkExercise(new ProgressStore(dir), 'bob', LAB, findExercise(LAB, 'web'), fixtureContext(loadSnapshot('empty')), {
      wait: true,
      clock: fakeClock(),
      onProgress: (r) => rounds.push(r.map((c) => c.ok)),
    });
    // A look at 0 s, then one a second until the 5 s timeout.
    expect(rounds).toHaveLength(6);
    expect(rounds.every((r) => r[0] === true && r[1] === false)).toBe(true);
  });
});
