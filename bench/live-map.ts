// npm run bench:live [-- --clusters N] [--seconds S] [--update-baseline]
// Server cost of live cluster maps and automatic checks: N clusters (1 manager + 1 worker,
// default 10), each with one page (a real WebSocket on /api/live) watching its map and showing
// an exercise, while every cluster scales a service up and down every 3 s (commands run by the
// docker CLI in child processes, so the server process only pays for watching). Measures the
// server process's CPU over the same activity with the maps closed, then open, and the events,
// reads, evaluations and frames per second. It removes its clusters at the end.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { startLabServer } from '../server/app';
import { loadConfig } from '../server/config';
import type { DindDriver } from '../server/drivers/dind';
import { ProgressStore } from '../server/labs/progress';
import { autoCheckTopic } from '../src/shared/auto-check';
import { clusterMapTopic } from '../src/shared/cluster-map';
import { frame } from '../src/shared/live-protocol';
import { readBaseline, report, writeBaseline, type Figures } from './baseline';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback);
const count = option('--clusters', 10);
const seconds = option('--seconds', 30);
const LAB = 'services-replicas';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-bench-live-'));
const lab = await startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'dind' }));
const clusters = lab.clusters!;
const driver = lab.backend.driver as DindDriver;
const learners: { id: string; token: string }[] = [];
const sockets: WebSocket[] = [];
let frames = 0;

function docker(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? -1));
    child.on('error', () => resolve(-1));
  });
}

/** Every cluster scales `web` between 1 and 2 replicas every 3 s, until `end`. */
async function activity(end: number): Promise<void> {
  let replicas = 2;
  while (Date.now() < end) {
    const round = Date.now();
    await Promise.all(learners.map((l) => docker(['exec', driver.containerName(l.id, 'manager1'), 'docker', 'service', 'scale', '--detach', `web=${replicas}`])));
    replicas = replicas === 2 ? 1 : 2;
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - round))));
  }
}

/** Server CPU (user + system) over `seconds` of activity, in % of one core. */
async function cpuDuring(): Promise<number> {
  const start = process.cpuUsage();
  const t = performance.now();
  await activity(Date.now() + seconds * 1000);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / 1000 / (performance.now() - t)) * 100;
}

try {
  console.log(`backend: ${lab.backend.reason}; ${count} clusters (1 manager + 1 worker), ${seconds} s per phase`);
  const progress = new ProgressStore(path.join(dataDir, 'progress'));
  for (let i = 0; i < count; i++) {
    const { learner, token } = await lab.registry.register(`bench ${i}`);
    learners.push({ id: learner.id, token });
    await clusters.ensure(learner.id, { managers: 1, workers: 1, swarm: 'ready' }, ['nginx:alpine']);
    // The cluster holds the lab (what the lab slide's start does), so its exercise is checked.
    await progress.update(learner.id, (s) => void (s.currentLab = LAB));
    await driver.exec(learner.id, 'manager1', ['docker', 'service', 'create', '--detach', '--name', 'web', 'nginx:alpine']);
    console.log(`  cluster ${i + 1}/${count} ready`);
  }

  const closed = await cpuDuring();

  for (const l of learners) {
    const ws = new WebSocket(`${lab.url.replace('http', 'ws')}/api/live?token=${l.token}`, { headers: { Origin: lab.url } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', () => void frames++);
    ws.send(frame(clusterMapTopic, { watch: true }));
    ws.send(frame(autoCheckTopic, { lab: LAB, exercise: 'scale' }));
    sockets.push(ws);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const maps = lab.labLive!.maps;
  const before = { ...maps.stats(), evaluations: lab.labLive!.checks.evaluations, frames };
  const open = await cpuDuring();
  const after = { ...maps.stats(), evaluations: lab.labLive!.checks.evaluations, frames };
  const rate = (k: 'events' | 'reads' | 'evaluations' | 'frames') => (after[k] - before[k]) / seconds;

  const figures: Record<string, Figures> = {
    [`server CPU, ${count} clusters, maps closed, %`]: { cpu: closed },
    [`server CPU, ${count} clusters, maps open, %`]: { cpu: open },
    [`live maps and checks, per cluster, %`]: { cpu: (open - closed) / count },
    [`swarm events, per second`]: { rate: rate('events') },
    [`map reads, per second`]: { rate: rate('reads') },
    [`check evaluations, per second`]: { rate: rate('evaluations') },
    [`frames pushed, per second`]: { rate: rate('frames') },
  };
  const key = `live-${count}`;
  report(`live maps and automatic checks (${count} clusters watched by one page each)`, figures, readBaseline(key));
  if (args.includes('--update-baseline')) writeBaseline(key, figures);
} finally {
  for (const ws of sockets) ws.terminate();
  for (const l of learners) await clusters.down(l.id).catch(() => undefined);
  await lab.close();
  await rm(dataDir, { recursive: true, force: true });
}
