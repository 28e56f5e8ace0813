// The course CI: every exercise of every lab, on a real swarm. Setup, the check FAILS, the
// reference solution, the check PASSES; each wrong solution, from the exercise's starting state,
// leaves the conditions it names failing once the swarm has settled; each alternative solution,
// from the same state, passes.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverContext, waitForSettled } from '../server/checker';
import { ClusterManager } from '../server/clusters';
import { REPO_ROOT } from '../server/config';
import { loadAllLabs, type LoadedLab } from '../src/labs/loader';
import { ProgressStore } from '../server/labs/progress';
import { castPath, commandLabel, readCastMeta, recordSolution, solutionHash, writeCast } from '../server/labs/recorder';
import { LabRunner } from '../server/labs/runner';
import { dindDriverIn, engineAvailable, leftovers } from './engine';

const enabled = await engineAvailable('course CI (every lab on a real swarm)');
const labs = loadAllLabs(path.join(REPO_ROOT, 'labs'));
/** How long a wrong solution's swarm may take to settle before the run fails (a loaded runner is slow). */
const SETTLE_MIN_S = 240;
const only = process.env.DEC_LABS?.split(',').map((id) => id.trim()).filter(Boolean);
const unknown = only?.filter((id) => !labs.some((l) => l.id === id)) ?? [];
if (unknown.length > 0) {
  throw new Error(`DEC_LABS names no lab « ${unknown.join(', ')} »; known labs: ${labs.map((l) => l.id).join(', ')}`);
}
// The recordings as committed, read before this run overwrites them (DEC_RECORDINGS_DIR=slides/recordings):
// the check below judges what the repository ships, not what this run just wrote.
const shipped = path.join(REPO_ROOT, 'slides/recordings');
const committed = new Map(
  await Promise.all(
    labs.flatMap((lab) =>
      lab.exercises.map(async (e) => {
        const key = `${lab.id}/${e.id}`;
        const cast = await readCastMeta(castPath(shipped, lab.id, e.id)).catch((error: Error) => error);
        return [key, cast] as const;
      }),
    ),
  ),
);

describe.skipIf(!enabled)('course CI: every lab on a real swarm', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-course-'));
  const driver = await dindDriverIn(dataDir);
  const clusters = new ClusterManager(driver);
  const runner = new LabRunner(clusters, path.join(REPO_ROOT, 'labs'), new ProgressStore(path.join(dataDir, 'progress')));
  const used: string[] = [];
  /** Exercises this host cannot run (a kernel feature is missing): reported loudly, never passed. */
  const notRun: string[] = [];
  const notRunExercises = new Set<string>();
  // .ci/run sets DEC_RECORDINGS_DIR=slides/recordings: the recordings the build ships come from this run.
  const recordingsDir = process.env.DEC_RECORDINGS_DIR ? path.resolve(REPO_ROOT, process.env.DEC_RECORDINGS_DIR) : path.join(dataDir, 'recordings');

  afterAll(async () => {
    for (const id of used) await clusters.down(id);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('has at least 12 labs and 30 verified conditions', () => {
    expect(labs.length).toBeGreaterThanOrEqual(12);
    expect(labs.reduce((n, l) => n + l.exercises.reduce((m, e) => m + e.conditions.length, 0), 0)).toBeGreaterThanOrEqual(30);
  });

  /** From a fresh cluster, replays the solutions (and cleanups) of the exercises before `index`. */
  async function startOfExercise(cluster: string, lab: LoadedLab, index: number): Promise<void> {
    await runner.reset(cluster, lab.id);
    for (const previous of lab.exercises.slice(0, index)) {
      await runner.run(cluster, previous.solution);
      const report = await runner.check(cluster, lab.id, previous.id, { wait: true });
      expect(report.ok, `${lab.id}/${previous.id} should pass again while replaying`).toBe(true);
      await runner.run(cluster, previous.cleanup);
    }
  }

  // Labs run a few at a time: each has its own cluster, and most of the time goes into waiting
  // for Swarm to converge, not into CPU (vitest.config.ts caps concurrency).
  describe.concurrent('labs', () => {
  for (const lab of labs.filter((l) => !only || only.includes(l.id))) {
    it(`${lab.id}: ${lab.title}`, { timeout: 1_800_000 }, async ({ annotate }) => {
      const cluster = `ci-${lab.id}`.slice(0, 32).replace(/-$/, '');
      used.push(cluster);
      await runner.reset(cluster, lab.id);
      for (const [index, exercise] of lab.exercises.entries()) {
        const where = `${lab.id}/${exercise.id}`;
        const before = await runner.check(cluster, lab.id, exercise.id, { wait: false });
        expect(before.ok, `${where}: the check must fail before the solution`).toBe(false);
        // Kernel conditions (IPVS, IPsec): where the feature is missing the exercise cannot run.
        const lacking = before.conditions.filter((c) => c.kind === 'kernel' && !c.ok).map((c) => c.observed);
        if (lacking.length > 0) {
          const text = `${where} and the exercises after it NOT RUN: ${lacking.join(' ; ')}`;
          console.warn(`\n!!! course CI: ${text}\n`);
          notRun.push(text);
          for (const e of lab.exercises.slice(index)) notRunExercises.add(`${lab.id}/${e.id}`);
          await annotate(text, 'warning');
          break;
        }

        for (const wrong of exercise.wrong) {
          await runner.run(cluster, wrong.commands);
          // Let Swarm finish moving, then judge once: the named conditions must fail. A state
          // judged mid-move would fail for the wrong reason, and prove nothing.
          // Settling ends as soon as the swarm is calm: the bound only matters on a slow machine.
          const longest = Math.max(SETTLE_MIN_S, ...wrong.fails.map((i) => exercise.conditions[i]!.timeout ?? 20));
          const settled = await waitForSettled(driverContext(driver, cluster), longest * 1000);
          // Some wrong solutions never let the swarm rest (a task pending for ever, a task that
          // fails its health check again and again): those are judged after the checker's whole
          // convergence wait instead of one look, so they must fail however long one waits.
          if (!settled) console.warn(`course CI: ${where}, wrong solution « ${wrong.name} »: the swarm still moves after ${longest} s; judged after the full convergence wait`);
          const report = await runner.check(cluster, lab.id, exercise.id, { wait: !settled });
          for (const i of wrong.fails) {
            const c = report.conditions[i]!;
            expect(c.ok, `${where}, wrong solution « ${wrong.name} »: condition ${i} (${c.message}) must fail; observed ${c.observed}`).toBe(false);
          }
          await startOfExercise(cluster, lab, index);
        }

        for (const alternative of exercise.alternatives) {
          await runner.run(cluster, alternative.commands);
          const report = await runner.check(cluster, lab.id, exercise.id, { wait: true });
          const failed = report.conditions.filter((c) => !c.ok).map((c) => `${c.message} — observé : ${c.observed} ; attendu : ${c.expected}`);
          expect(failed, `${where}, alternative solution « ${alternative.name} » must pass`).toEqual([]);
          await startOfExercise(cluster, lab, index);
        }

        // The reference solution runs in real terminals on its nodes, recorded for the self-paced course.
        await writeCast(recordingsDir, await recordSolution(driver, cluster, lab.id, exercise));
        const after = await runner.check(cluster, lab.id, exercise.id, { wait: true });
        const failed = after.conditions.filter((c) => !c.ok).map((c) => `${c.message} — observé : ${c.observed} ; attendu : ${c.expected}`);
        expect(failed, `${where}: the check must pass after the solution`).toEqual([]);
        await runner.run(cluster, exercise.cleanup);
      }
      await clusters.down(cluster);
      expect(await leftovers(cluster)).toEqual([]);
    });
  }
  });

  it('ran every exercise (none needs a kernel feature this host lacks)', ({ skip }) => {
    if (notRun.length > 0) skip(`NOT RUN on this host: ${notRun.join(' | ')}`);
  });

  it.skipIf(Boolean(only))('ships a recording of every current solution, made by the course CI (as committed, before this run)', () => {
    for (const lab of labs) {
      for (const exercise of lab.exercises) {
        const where = `${lab.id}/${exercise.id}`;
        if (notRunExercises.has(where)) continue; // reported above: this host cannot record it
        const cast = committed.get(where);
        if (!cast || cast instanceof Error) {
          throw new Error(`${where}: no recording in slides/recordings (run DEC_RECORDINGS_DIR=slides/recordings npx vitest run test/course-labs.test.ts, then commit slides/recordings): ${cast?.message ?? 'absent'}`);
        }
        expect(cast.meta.generatedBy).toBe('course-ci');
        expect(cast.meta.solutionHash, `${where}: the committed recording is of another solution: regenerate it and commit slides/recordings`).toBe(solutionHash(exercise));
        expect(cast.meta.commands).toEqual(exercise.solution.map(commandLabel));
        expect(cast.events).toBeGreaterThan(exercise.solution.length);
      }
    }
  });
});
