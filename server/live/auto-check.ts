// Checks that tick by themselves (src/shared/auto-check.ts): while a page shows a live lab
// slide, the exercise it shows is evaluated again, once and read-only (no convergence wait),
// after each swarm event of the learner's cluster and each command that returns in one of the
// learner's terminals. Results go to the pages showing that exercise; when every condition
// passes, the exercise is recorded as passed in the learner's progress, the same record as
// « Vérifier » (server/labs/runner.ts), without a click.
//
// Cost bound: at most one evaluation in flight per learner; triggers that come meanwhile are
// coalesced into one more evaluation after it, never queued; conditions that run a probe in
// the cluster (a healthcheck's effect) are left to « Vérifier ».
import { evaluate, type CheckContext } from '../checker';
import { autoCheckTopic, type AutoCheckResult, type AutoCondition } from '../../src/shared/auto-check';
import type { Condition } from '../../src/labs/schema';
import type { LoadedLab } from '../../src/labs/loader';
import { findExercise, recordCheck } from '../labs/runner';
import type { ProgressStore } from '../labs/progress';
import type { LiveClient, LiveHub } from './hub';

export interface AutoCheckDeps {
  hub: LiveHub;
  progress: ProgressStore;
  lab(id: string): LoadedLab;
  /** A read-only check context over the learner's cluster. */
  context(cluster: string): CheckContext;
  /** Quiet time before an evaluation (bursts of events and commands make one). */
  debounceMs?: number;
  /** A cluster that must not be read now (frozen: its machines are suspended). */
  asleep?(cluster: string): boolean;
}

/** Conditions an automatic evaluation leaves to « Vérifier ». */
export function needsExplicitCheck(c: Condition): boolean {
  return c.kind === 'service' && Boolean(c.healthcheck?.failsAfter);
}

interface Viewing {
  learner: string;
  lab: string;
  exercise: string;
}

interface LearnerRun {
  timer: NodeJS.Timeout | null;
  running: boolean;
  again: boolean;
  /** Last result sent per `lab/exercise`, so an unchanged one is not sent again. */
  last: Map<string, string>;
}

export class AutoChecks {
  private readonly views = new Map<number, Viewing>();
  private readonly runs = new Map<string, LearnerRun>();
  private readonly debounceMs: number;
  /** Evaluations done (the bench reads it). */
  evaluations = 0;

  constructor(private readonly deps: AutoCheckDeps) {
    this.debounceMs = deps.debounceMs ?? 200;
    deps.hub.on(autoCheckTopic, (client, view) => {
      if (view.lab === null) return void this.leave(client);
      this.views.set(client.id, { learner: client.learner.id, lab: view.lab, exercise: view.exercise });
      // A page that comes (back) to a slide gets the current verdict at once.
      this.runOf(client.learner.id).last.delete(`${view.lab}/${view.exercise}`);
      this.trigger(client.learner.id, 0);
    });
    deps.hub.onDisconnect((client) => this.leave(client));
  }

  /** Something may have changed on `learner`'s cluster (a swarm event, a command returned). */
  trigger(learner: string, delay = this.debounceMs): void {
    if (![...this.views.values()].some((v) => v.learner === learner)) return;
    if (this.deps.asleep?.(learner)) return;
    const run = this.runOf(learner);
    if (run.running) return void (run.again = true);
    if (run.timer) return;
    run.timer = setTimeout(() => {
      run.timer = null;
      void this.run(learner, run);
    }, delay);
  }

  close(): void {
    for (const run of this.runs.values()) if (run.timer) clearTimeout(run.timer);
    this.runs.clear();
    this.views.clear();
  }

  private leave(client: LiveClient): void {
    const view = this.views.get(client.id);
    this.views.delete(client.id);
    if (view && ![...this.views.values()].some((v) => v.learner === view.learner)) {
      const run = this.runs.get(view.learner);
      if (run?.timer) clearTimeout(run.timer);
      if (run && !run.running) this.runs.delete(view.learner);
    }
  }

  private runOf(learner: string): LearnerRun {
    let run = this.runs.get(learner);
    if (!run) this.runs.set(learner, (run = { timer: null, running: false, again: false, last: new Map() }));
    return run;
  }

  private async run(learner: string, run: LearnerRun): Promise<void> {
    run.running = true;
    run.again = false;
    try {
      const shown = new Map<string, Viewing>();
      for (const v of this.views.values()) if (v.learner === learner) shown.set(`${v.lab}/${v.exercise}`, v);
      const state = await this.deps.progress.get(learner);
      for (const [key, v] of shown) {
        // Only on the cluster that holds this lab (not while another lab's state or a reset is there).
        if (state.currentLab !== v.lab) continue;
        const result = await this.evaluate(v);
        if (!result) continue;
        if (result.passed && !state.exercises[key]?.passedAt) {
          await recordCheck(this.deps.progress, learner, key, null, new Date().toISOString(), { attempt: false });
        }
        const text = JSON.stringify(result);
        if (run.last.get(key) === text) continue;
        run.last.set(key, text);
        for (const client of this.deps.hub.pagesOf(learner)) {
          const view = this.views.get(client.id);
          if (view && view.lab === v.lab && view.exercise === v.exercise) client.send(autoCheckTopic, result);
        }
      }
    } catch {
      // The cluster is being rebuilt, the lab file is broken: the next trigger tries again.
    } finally {
      run.running = false;
      if (run.again) this.trigger(learner);
      else if (![...this.views.values()].some((v) => v.learner === learner)) this.runs.delete(learner);
    }
  }

  private async evaluate(v: Viewing): Promise<AutoCheckResult | null> {
    const lab = this.deps.lab(v.lab);
    const exercise = lab.exercises.find((e) => e.id === v.exercise) ? findExercise(lab, v.exercise) : null;
    if (!exercise) return null;
    this.evaluations++;
    const ctx = this.deps.context(v.learner);
    const conditions: AutoCondition[] = [];
    for (const [index, c] of exercise.conditions.entries()) {
      if (needsExplicitCheck(c)) {
        conditions.push({ index, ok: false, observed: '', expected: '', skipped: true });
        continue;
      }
      const seen = await evaluate(c, ctx);
      conditions.push({ index, ok: seen.ok, observed: seen.observed, expected: seen.expected, ...(seen.progress ? { progress: seen.progress } : {}) });
    }
    return { lab: v.lab, exercise: v.exercise, conditions, passed: conditions.every((c) => c.ok) };
  }
}
