import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as pty from 'node-pty';
import { actionDoneText, actionLabel } from '../../src/shared/lab-contract';
import type { Driver } from '../drivers/types';
import { runNodeAction } from '../faults';
import { ClusterWatch } from '../live/cluster-watch';
import type { ClusterMapState } from '../../src/shared/cluster-map';
import type { CommandBlock, Exercise } from '../../src/labs/schema';
import { poll } from '../../src/shared/poll';

/**
 * Recordings of reference solutions (asciicast v2), made by the course CI on a real swarm: each
 * command runs in a real terminal on its node, and its real output is what the self-paced
 * course replays, so a replay can never drift from what the commands print.
 */

export const CAST_COLS = 100;
export const CAST_ROWS = 24;
const IDLE_LIMIT_S = 1.5;

export interface CastMeta {
  lab: string;
  exercise: string;
  /** Hash of the exercise's solution: a recording of another solution is stale. */
  solutionHash: string;
  commands: string[];
  generatedBy: 'course-ci';
  recordedAt: string;
}

type CastEvent = [number, 'o', string];

/** The cluster map beside a cast: `[seconds on the cast's clock, state]`, in order. */
export interface MapRecording {
  version: 1;
  states: [number, ClusterMapState][];
}

/** How long the recorder waits, after the last command, for the map to stop moving. */
const MAP_SETTLE_MS = 5000;

export function solutionHash(exercise: Exercise): string {
  return createHash('sha256').update(JSON.stringify(exercise.solution)).digest('hex').slice(0, 16);
}

/** How a command block is named in a recording's metadata. */
export function commandLabel(block: CommandBlock): string {
  return 'action' in block ? `[${actionLabel(block.action, block.node).toLowerCase()}]` : block.run;
}

/** Runs a solution's commands in real terminals on their nodes and records the session. */
export async function recordSolution(
  driver: Driver,
  cluster: string,
  lab: string,
  exercise: Exercise,
): Promise<{ meta: CastMeta; events: CastEvent[]; map: MapRecording }> {
  const events: CastEvent[] = [];
  let clock = 0;
  let last = performance.now();
  // The map's states on the cast's clock (idle gaps capped the same way), so a replay plays both in sync.
  const map: MapRecording = { version: 1, states: [] };
  const castTime = () => Math.round((clock + Math.min((performance.now() - last) / 1000, IDLE_LIMIT_S)) * 1000) / 1000;
  const watch = new ClusterWatch(driver, cluster, (state) => void map.states.push([castTime(), state]));
  await poll(async () => watch.current !== null, { timeoutMs: MAP_SETTLE_MS, intervalMs: 100 });
  // The cast starts now; the state read before the first command shows from its start.
  last = performance.now();
  for (const state of map.states) state[0] = 0;
  /** Real output keeps its real timing (idle gaps capped); typed input gets a typing pace. */
  const emit = (data: string, typedDelay?: number) => {
    const now = performance.now();
    clock += typedDelay ?? Math.min((now - last) / 1000, IDLE_LIMIT_S);
    last = now;
    events.push([Math.round(clock * 1000) / 1000, 'o', data]);
  };
  try {
    await runSolution();
    await watch.settled(MAP_SETTLE_MS);
  } finally {
    watch.stop();
  }
  emit(`\x1b[1;32mroot@${exercise.solution.at(-1)?.node ?? 'manager1'}\x1b[0m:\x1b[1;34m~\x1b[0m# `);
  const meta: CastMeta = {
    lab,
    exercise: exercise.id,
    solutionHash: solutionHash(exercise),
    commands: exercise.solution.map(commandLabel),
    generatedBy: 'course-ci',
    recordedAt: new Date().toISOString(),
  };
  return { meta, events, map };

  async function runSolution(): Promise<void> {
    for (const block of exercise.solution) {
      const prompt = `\x1b[1;32mroot@${block.node}\x1b[0m:\x1b[1;34m~\x1b[0m# `;
      if ('action' in block) {
        const done = actionDoneText(block.action, block.node);
        emit(`\x1b[33m# ${block.action === 'stop' || block.action === 'isolate' ? `Panne simulée : ${done}.` : `${done}.`}\x1b[0m\r\n`);
        await runNodeAction(driver, cluster, block.node, block.action);
        continue;
      }
      emit(prompt);
      // Typed like a person would, a few characters at a time, after a short pause.
      for (let i = 0; i < block.run.length; i += 4) emit(block.run.slice(i, i + 4).replace(/\n/g, '\r\n> '), i === 0 ? 0.6 : 0.05);
      emit('\r\n', 0.3);
      const spec = await driver.shell(cluster, block.node, block.run);
      const code = await new Promise<number>((resolve) => {
        const term = pty.spawn(spec.file, spec.args, {
          name: 'xterm-256color',
          cols: CAST_COLS,
          rows: CAST_ROWS,
          cwd: spec.cwd ?? process.cwd(),
          env: { ...process.env, ...spec.env, TERM: 'xterm-256color' } as Record<string, string>,
        });
        term.onData(emit);
        term.onExit(({ exitCode }) => resolve(exitCode));
      });
      if (code !== 0) throw new Error(`${lab}/${exercise.id} : « ${block.run} » sur ${block.node} a échoué (code ${code}) pendant l’enregistrement`);
    }
  }
}

export function castPath(dir: string, lab: string, exercise: string): string {
  return path.join(dir, lab, `${exercise}.cast`);
}

/** The map states beside a cast: `<exercise>.map.json` next to `<exercise>.cast`. */
export function mapPath(castFile: string): string {
  return castFile.replace(/\.cast$/, '.map.json');
}

export async function writeCast(dir: string, recording: { meta: CastMeta; events: CastEvent[]; map?: MapRecording }): Promise<string> {
  const file = castPath(dir, recording.meta.lab, recording.meta.exercise);
  await mkdir(path.dirname(file), { recursive: true });
  if (recording.map) await writeFile(mapPath(file), JSON.stringify(recording.map) + '\n');
  const header = {
    version: 2,
    width: CAST_COLS,
    height: CAST_ROWS,
    timestamp: Math.floor(Date.parse(recording.meta.recordedAt) / 1000),
    idle_time_limit: IDLE_LIMIT_S,
    title: `${recording.meta.lab} / ${recording.meta.exercise}`,
    env: { TERM: 'xterm-256color', SHELL: '/bin/bash' },
    'x-docker-en-cluster': recording.meta,
  };
  await writeFile(file, [JSON.stringify(header), ...recording.events.map((e) => JSON.stringify(e))].join('\n') + '\n');
  return file;
}

export async function readCastMeta(file: string): Promise<{ meta: CastMeta; events: number; output: string }> {
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  const header = JSON.parse(lines[0]!) as { version: number; 'x-docker-en-cluster'?: CastMeta };
  if (header.version !== 2 || !header['x-docker-en-cluster']) throw new Error(`${file} : pas un enregistrement asciicast v2 du cours`);
  const events = lines.slice(1).map((l) => JSON.parse(l) as CastEvent);
  return { meta: header['x-docker-en-cluster'], events: events.length, output: events.map((e) => e[2]).join('') };
}
