import type { ClusterManager } from '../clusters';
import { converge, driverContext, type CheckContext, type ConditionResult } from '../checker';
import { systemClock, type Clock } from '../../src/shared/poll';
import type { ClusterShape } from '../drivers/types';
import { loadLab, type LoadedLab } from '../../src/labs/loader';
import { runNodeAction } from '../faults';
import type { ProgressStore } from './progress';
import type { CommandBlock, Exercise } from '../../src/labs/schema';

export interface CheckReport {
  lab: string;
  exercise: string;
  ok: boolean;
  conditions: ConditionResult[];
  checkedAt: string;
}

/** Types a command into a learner's terminal (the server's demo mode); absent in the CLI. */
export type Typist = (cluster: string, node: string, text: string) => Promise<void>;

export class CommandError extends Error {}

/** The exercise `id` of a lab (its first one without an id). */
export function findExercise(lab: LoadedLab, id?: string): Exercise {
  const exercise = id ? lab.exercises.find((e) => e.id === id) : lab.exercises[0];
  if (!exercise) throw new Error(`le TP « ${lab.id} » n’a pas d’exercice « ${id} » (exercices : ${lab.exercises.map((e) => e.id).join(', ')})`);
  return exercise;
}

export interface CheckOptions {
  wait: boolean;
  onProgress?(r: ConditionResult[]): void;
  signal?: AbortSignal;
  clock?: Clock;
}

/** Checks an exercise on a cluster (any check context) and counts the attempt in the learner's progress. */
export async function checkExercise(
  progress: ProgressStore,
  learner: string,
  lab: LoadedLab,
  exercise: Exercise,
  ctx: CheckContext,
  opts: CheckOptions,
): Promise<CheckReport> {
  const conditions = await converge(exercise.conditions, ctx, opts);
  const ok = conditions.every((c) => c.ok);
  const now = new Date((opts.clock ?? systemClock).now()).toISOString();
  await recordCheck(progress, learner, `${lab.id}/${exercise.id}`, ok ? null : failureMessage(conditions), now, { attempt: true });
  return { lab: lab.id, exercise: exercise.id, ok, conditions, checkedAt: now };
}

/**
 * Records a check in the learner's progress (`failure`: null for a pass, else the French message
 * of what failed): « Vérifier » counts an attempt and keeps the last failure's message (the cockpit shows it); the automatic checks of an open lab slide
 * (server/live/auto-check.ts) only record the pass: a learner still at work is not failing.
 */
export async function recordCheck(progress: ProgressStore, learner: string, key: string, failure: string | null, now: string, opts: { attempt: boolean }): Promise<void> {
  await progress.update(learner, (s) => {
    const p = (s.exercises[key] ??= { attempts: 0 });
    if (opts.attempt) p.attempts++;
    p.lastCheckAt = now;
    if (failure === null) p.passedAt ??= now;
    else if (opts.attempt) p.lastFailure = { at: now, message: failure };
  });
}

/** The first unmet condition's French message and what was observed, bounded (the cockpit shows it). */
export function failureMessage(conditions: ConditionResult[]): string {
  const failed = conditions.find((c) => !c.ok);
  if (!failed) return '';
  const observed = failed.observed ? ` (observé : ${failed.observed})` : '';
  return `${failed.message}${observed}`.slice(0, 300);
}

export function shapeOf(lab: LoadedLab): ClusterShape {
  return { managers: lab.cluster.managers, workers: lab.cluster.workers, swarm: lab.cluster.swarm, labels: lab.cluster.labels };
}

/**
 * What a lab does on a cluster: start (fresh cluster + setup), check an exercise, solve it,
 * reset. The HTTP API and the CLI are two faces over these functions.
 */
export class LabRunner {
  constructor(
    private readonly clusters: ClusterManager,
    private readonly labsDir: string,
    private readonly progress: ProgressStore,
    private readonly onReset: (cluster: string) => void = () => undefined,
  ) {}

  lab(id: string): LoadedLab {
    return loadLab(this.labsDir, id);
  }

  exercise(lab: LoadedLab, id?: string): Exercise {
    return findExercise(lab, id);
  }

  /** The learner's cluster holds this lab: a fresh cluster and its setup the first time, kept afterwards. */
  async start(cluster: string, labId: string): Promise<LoadedLab> {
    const lab = this.lab(labId);
    const state = await this.progress.get(cluster);
    // The cluster may be gone since (removed from the CLI, its engine lost): then it is rebuilt
    // in the lab's starting state, not left empty.
    if (state.currentLab === lab.id && (await this.clusters.driver.nodes(cluster)).length > 0) {
      await this.clusters.ensure(cluster, shapeOf(lab), lab.images);
      return lab;
    }
    return this.reset(cluster, labId);
  }

  /** A fresh cluster in the lab's starting state. */
  async reset(cluster: string, labId: string): Promise<LoadedLab> {
    const lab = this.lab(labId);
    await this.progress.update(cluster, (s) => {
      s.currentLab = undefined;
    });
    this.onReset(cluster);
    await this.clusters.reset(cluster, shapeOf(lab), lab.images);
    await this.run(cluster, lab.setup);
    await this.progress.update(cluster, (s) => {
      s.currentLab = lab.id;
      s.currentLabSince = new Date().toISOString();
    });
    return lab;
  }

  /** Runs command blocks in order on their nodes; stops at the first failing one. */
  async run(cluster: string, blocks: CommandBlock[], typist?: Typist): Promise<void> {
    const driver = this.clusters.driver;
    for (const block of blocks) {
      if ('action' in block) {
        await runNodeAction(driver, cluster, block.node, block.action);
      } else if (typist) {
        await typist(cluster, block.node, `${block.run}\r`);
      } else {
        const result = await driver.exec(cluster, block.node, ['sh', '-c', block.run]);
        if (result.code !== 0) {
          throw new CommandError(`« ${block.run} » sur ${block.node} a échoué (code ${result.code}) : ${(result.stderr || result.stdout).trim().slice(0, 500)}`);
        }
      }
    }
  }

  async check(
    cluster: string,
    labId: string,
    exerciseId: string | undefined,
    opts: CheckOptions,
  ): Promise<CheckReport> {
    const lab = this.lab(labId);
    const exercise = this.exercise(lab, exerciseId);
    return checkExercise(this.progress, cluster, lab, exercise, driverContext(this.clusters.driver, cluster), opts);
  }

  /** Runs the reference solution (typed into the learner's terminals when a typist is given). */
  async solve(cluster: string, labId: string, exerciseId: string | undefined, typist?: Typist): Promise<Exercise> {
    const lab = this.lab(labId);
    const exercise = this.exercise(lab, exerciseId);
    await this.run(cluster, exercise.solution, typist);
    return exercise;
  }
}
