// npm run bench:check [-- --labs a,b] [--runs N] [--update-baseline]
// Check latency per check kind on a live cluster: each lab is set up and solved, then every
// condition of its exercises is evaluated N times (one look each, no convergence wait).
import Docker from 'dockerode';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { driverContext, evaluate } from '../server/checker';
import { ClusterManager } from '../server/clusters';
import { REPO_ROOT } from '../server/config';
import { chooseNodeImage } from '../server/drivers/detect';
import { DindDriver } from '../server/drivers/dind';
import { loadAllLabs } from '../src/labs/loader';
import { ProgressStore } from '../server/labs/progress';
import { LabRunner } from '../server/labs/runner';
import { quantile, readBaseline, report, writeBaseline, type Figures } from './baseline';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(opt('--runs')) || 10;
const only = opt('--labs')?.split(',');
const labs = loadAllLabs(path.join(REPO_ROOT, 'labs')).filter((l) => !only || only.includes(l.id));

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-bench-check-'));
const host = new Docker();
const driver = new DindDriver({
  host,
  image: await chooseNodeImage(host, process.env.DEC_NODE_IMAGE),
  privileged: 'auto',
  socketDir: path.join(dataDir, 'sockets'),
  cacheDir: path.join(dataDir, 'cache'),
});
const clusters = new ClusterManager(driver);
const runner = new LabRunner(clusters, path.join(REPO_ROOT, 'labs'), new ProgressStore(path.join(dataDir, 'progress')));
const cluster = 'bench-check';
const samples = new Map<string, number[]>();
try {
  for (const lab of labs) {
    await runner.reset(cluster, lab.id);
    for (const exercise of lab.exercises) {
      await runner.solve(cluster, lab.id, exercise.id);
      await runner.check(cluster, lab.id, exercise.id, { wait: true });
      const ctx = driverContext(driver, cluster);
      for (const condition of exercise.conditions) {
        const list = samples.get(condition.kind) ?? [];
        for (let i = 0; i < runs; i++) {
          const t = performance.now();
          await evaluate(condition, ctx);
          list.push(performance.now() - t);
        }
        samples.set(condition.kind, list);
      }
      await runner.run(cluster, exercise.cleanup);
    }
    process.stdout.write(`${lab.id} `);
  }
} finally {
  await clusters.down(cluster);
  await rm(dataDir, { recursive: true, force: true });
}
const figures: Record<string, Figures> = {};
for (const [kind, list] of [...samples.entries()].sort()) {
  figures[`${kind}, ms`] = { p50: quantile(list, 0.5), p95: quantile(list, 0.95), n: list.length };
}
report(`bench:check (${labs.length} labs, ${runs} looks per condition)`, figures, readBaseline('check'));
if (args.includes('--update-baseline')) writeBaseline('check', figures);
process.exit(0);
