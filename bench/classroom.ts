// npm run bench:classroom [-- --sizes 5,10,20,30] [--active 60] [--pace 180] [--freeze-after 600]
//   [--update-baseline]   (or BENCH_SIZES=5,10 BENCH_ACTIVE_S=60 BENCH_PACE_MS=180 BENCH_FREEZE_AFTER_S=600)
//
// A room on this machine: one real server started in-process in class mode (listening on
// 0.0.0.0, reached on 127.0.0.1), and N simulated learners who join through the join link like
// a browser (bench/learner.ts), start a lab on their own DinD cluster, open a terminal, create
// the lab's service (a task on each of their 3 nodes) and, a third of them at a time, type
// commands at a human pace and click « Vérifier » (HTTP API).
// Sizes grow in turn (the learners of the previous size stay). For each size: echo p50/p99,
// check p95, memory per learner, host CPU and failures; the last line is the largest room with
// echo p99 under 50 ms and no failure. Every cluster it made is removed at the end, and proved so.
import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { startLabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { LABEL } from '../server/drivers/labels';
import { quantile, readBaseline, report, writeBaseline, type Figures as Row } from './baseline';
import { proveNothingLeft } from './cleanup';
import { cpuShares, formatShares, hostBusy, readCpu } from './cpu-breakdown';
import { SimulatedLearner, type Figures } from './learner';

const args = process.argv.slice(2);
const arg = (name: string, env: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : (process.env[env] ?? fallback);
};
const sizes = arg('sizes', 'BENCH_SIZES', '5,10,20,30').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const activeS = Number(arg('active', 'BENCH_ACTIVE_S', '60'));
const paceMs = Number(arg('pace', 'BENCH_PACE_MS', '180'));
/** Clusters built at once while the room fills (the bench measures the room, not a stampede). */
const startWave = Number(arg('wave', 'BENCH_WAVE', '3'));
/** The server's --freeze-after: learners idle between their turns are frozen after that long (the first key after it thaws). */
const freezeAfter = arg('freeze-after', 'BENCH_FREEZE_AFTER_S', '600');
const LAB = 'services-replicas';
/**
 * What each learner has done before the measure: the lab's first two exercises, so every node
 * runs a task (as in a room in the middle of a lab); the checks then judge exercise 2.
 */
const SETUP = 'docker service create --name web --replicas 3 --detach nginx:alpine >/dev/null';
const EXERCISE = 'scale';
const COMMANDS = ['docker node ls', 'docker service ls', 'docker ps --format "{{.Names}} {{.Status}}"', 'docker service ps web --format "{{.Node}} {{.CurrentState}}"'];
const ECHO_P99_GOAL_MS = 50;
const LOOP_RESOLUTION_MS = 10;

const host = new Docker();
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-classroom-'));
const max = sizes.at(-1) ?? 0;
const lab = await startLabServer(
  loadConfig({ host: '0.0.0.0', port: '0', 'data-dir': dataDir, driver: 'dind', 'max-clusters': String(max), 'freeze-after': freezeAfter }),
  { log: (line) => console.log(line) },
);
const base = `http://127.0.0.1:${(lab.server.address() as { port: number }).port}`;
const joinUrl = () => `${base}/?join=${lab.registry.joinCode}`;
const learners: SimulatedLearner[] = [];
const figures: Record<string, Row> = {};
const results: { n: number; p50: number; p99: number; check95: number; failures: number }[] = [];
console.log(`backend: ${lab.backend.reason}; sizes ${sizes.join(', ')}; ${activeS} s active per size (a third of the learners at a time), a key every ~${paceMs} ms; idle clusters frozen after ${freezeAfter} s`);

try {
  for (const n of sizes) {
    const setupFailures: string[] = [];
    const t0 = performance.now();
    while (learners.length < n) {
      const wave = Array.from({ length: Math.min(startWave, n - learners.length) }, (_, i) => `Élève ${learners.length + i + 1}`);
      const joined = await Promise.all(
        wave.map(async (name) => {
          try {
            const l = await SimulatedLearner.join(base, joinUrl(), name);
            await l.startLab(LAB);
            await l.openTerminal('manager1');
            await l.run(SETUP);
            return l;
          } catch (error) {
            setupFailures.push((error as Error).message);
            return undefined;
          }
        }),
      );
      for (const l of joined) if (l) learners.push(l);
      if (joined.every((l) => !l)) break;
    }
    console.log(`\n${n} learners: room ready in ${((performance.now() - t0) / 1000).toFixed(0)} s (${learners.length} joined)`);

    // A third active at once: three slots, each learner works in one of them.
    const run: Figures = { echoMs: [], checkMs: [], failures: [...setupFailures] };
    const ids = await benchContainers();
    const parts0 = readCpu(ids);
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const slotMs = (activeS * 1000) / 3;
    let thawed = 0;
    for (let slot = 0; slot < 3; slot++) {
      const turn = learners.filter((_, i) => i % 3 === slot);
      thawed += turn.filter((l) => lab.room?.isFrozen(l.id)).length;
      await Promise.all(turn.map((l) => l.work(slotMs, LAB, EXERCISE, COMMANDS, paceMs, run)));
    }
    const parts1 = readCpu(ids);
    const cpu = hostBusy(parts0, parts1);
    const parts = cpuShares(parts0, parts1);
    loop.disable();
    const memory = await memoryMB();
    const row = {
      'echo p50 ms': quantile(run.echoMs, 0.5),
      'echo p99 ms': quantile(run.echoMs, 0.99),
      'check p95 ms': run.checkMs.length ? quantile(run.checkMs, 0.95) : NaN,
      'memory per learner MB': (memory + process.memoryUsage().rss / 1e6) / Math.max(1, learners.length),
      'host CPU %': cpu,
      // The histogram holds whole sampling intervals: the delay is what exceeds one.
      'event loop delay p99 ms': Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
      'thawed by a key': thawed,
      failures: run.failures.length,
    };
    figures[`${n} learners`] = row;
    results.push({ n, p50: row['echo p50 ms'], p99: row['echo p99 ms'], check95: row['check p95 ms'], failures: row.failures });
    console.log(
      `  echo p50 ${row['echo p50 ms'].toFixed(1)} ms, p99 ${row['echo p99 ms'].toFixed(1)} ms (${run.echoMs.length} keys); check p95 ${row['check p95 ms'].toFixed(0)} ms (${run.checkMs.length}); ` +
        `memory ${row['memory per learner MB'].toFixed(0)} MB per learner; host CPU ${cpu.toFixed(0)} % (load ${loadavg()[0]!.toFixed(1)}); ${row.failures} failures`,
    );
    console.log(`  CPU in % of one core: ${formatShares(parts)}; this process's event loop delay p99 ${row['event loop delay p99 ms'].toFixed(1)} ms; ${thawed} learners found their cluster frozen`);
    for (const f of new Set(run.failures)) console.log(`    failure: ${f}`);
    if (learners.length < n) break;
  }
  // Freeze one learner's cluster, then time the thaw an API call waits for (goal: under 1 s).
  const first = learners[0];
  if (first && lab.room) {
    await lab.room.freeze(first.id);
    const t = performance.now();
    await lab.room.touch(first.id);
    figures['thaw before an API call'] = { ms: performance.now() - t };
    console.log(`\nthaw of a frozen cluster before an API call: ${(performance.now() - t).toFixed(0)} ms`);
  }
} finally {
  await Promise.all(learners.map((l) => l.close().catch(() => undefined)));
  const clusters = [...learners.map((l) => l.id), ...(lab.room?.pooled() ?? [])];
  await lab.close();
  for (const id of clusters) if (id) await lab.clusters?.down(id);
  // And whatever else this data folder holds (a pool cluster being built when it stopped).
  const driver = lab.backend.driver;
  if (driver) for (const id of await driver.adopt()) await driver.down(id);
  await proveNothingLeft(host, dataDir, 'bench:classroom');
  await rm(dataDir, { recursive: true, force: true });
}

report('bench:classroom', figures, readBaseline('classroom'));
if (args.includes('--update-baseline')) writeBaseline('classroom', figures);
const fits = results.filter((r) => r.failures === 0 && r.p99 < ECHO_P99_GOAL_MS);
const best = fits.at(-1) ?? results[0];
const size = fits.at(-1)?.n ?? 0;
console.log(
  best
    ? `largest room: ${size} learners (echo p99 ${best.p99.toFixed(1)} ms, check p95 ${best.check95.toFixed(0)} ms, ${best.failures} failures)`
    : 'largest room: 0 learners (echo p99 - ms, check p95 - ms, 0 failures)',
);
process.exit(process.exitCode ?? 0);

/** Full ids of this bench's running containers (nodes and registries). */
async function benchContainers(): Promise<string[]> {
  return (await host.listContainers({ filters: { label: [`${LABEL.home}=${path.join(dataDir, 'sockets')}`] } })).map((c) => c.Id);
}

/** Memory of every container of this bench's clusters (nodes and registries), in MB. */
async function memoryMB(): Promise<number> {
  const usage = await Promise.all((await benchContainers()).map(async (id) => (await containerMemory(id)) / 1e6));
  return usage.reduce((a, b) => a + b, 0);
}

/**
 * A container's memory in bytes: the engine's stats, or its cgroup's own figure where the
 * engine reports 0 (DinD nodes run with the host's cgroup namespace, and Docker 20.10 on a
 * cgroup v1 host gives them no memory stats).
 */
async function containerMemory(id: string): Promise<number> {
  const stats = (await host.getContainer(id).stats({ stream: false })) as unknown as { memory_stats: { usage?: number } };
  if (stats.memory_stats.usage) return stats.memory_stats.usage;
  for (const file of [`/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`, `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.current`, `/sys/fs/cgroup/docker/${id}/memory.current`]) {
    try {
      return Number(readFileSync(file, 'utf8').trim());
    } catch {
      /* another cgroup layout */
    }
  }
  return 0;
}
