// npm run bench:lab [-- --runs N] [--update-baseline]
// Cluster up and reset times, node start-up per node image found on this engine (ours and
// docker:dind), terminal echo latency and throughput through the WebSocket (the gateway on a
// local shell, and the real path into a DinD node), and memory per node. It ends with no
// cluster left: it lists the objects carrying its data folder's label and fails if any remain.
import Docker from 'dockerode';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLabServer } from '../server/app';
import { loadConfig } from '../server/config';
import { DindDriver } from '../server/drivers/dind';
import { hasImage, OUR_NODE_IMAGE, PUBLIC_NODE_IMAGE } from '../server/drivers/images';
import { DEFAULT_SHAPE } from '../server/drivers/types';
import { TestClient } from '../server/terminals/testing';
import { median, quantile, readBaseline, report, writeBaseline, type Figures } from './baseline';
import { benchTerminal } from './terminal';
import { proveNothingLeft } from './cleanup';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const cluster = 'bench-lab';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-bench-'));
const lab = await startLabServer(loadConfig({ port: '0', static: true, 'data-dir': dataDir, driver: 'dind' }));
const clusters = lab.clusters!;
const driver = lab.backend.driver!;
const figures: Record<string, Figures> = {};
const host = new Docker();
let learner: string | undefined;
try {
  console.log(`backend: ${lab.backend.reason}`);
  await clusters.down(cluster);
  const ups: number[] = [];
  const resets: number[] = [];
  for (let i = 0; i < runs; i++) {
    await clusters.down(cluster);
    let t = performance.now();
    await clusters.ensure(cluster, DEFAULT_SHAPE);
    ups.push((performance.now() - t) / 1000);
    t = performance.now();
    await clusters.reset(cluster, DEFAULT_SHAPE);
    resets.push((performance.now() - t) / 1000);
  }
  figures['cluster up (1+2 nodes), s'] = { median: median(ups), max: Math.max(...ups) };
  figures['cluster reset, s'] = { median: median(resets), max: Math.max(...resets) };

  // Memory of each node container (idle swarm node).
  const nodes = await driver.nodes(cluster);
  const mem: number[] = [];
  for (const n of nodes) {
    const stats = await host.getContainer((driver as DindDriver).containerName(cluster, n.name)).stats({ stream: false });
    mem.push(stats.memory_stats.usage / 1e6);
  }
  figures['memory per node, MB'] = { median: median(mem), max: Math.max(...mem) };

  // Echo latency into a real node (docker exec pty, through the lab server's WebSocket).
  const token = (await lab.registry.register('bench')).token;
  learner = lab.registry.lookup(token)!.id;
  await clusters.ensure(learner, DEFAULT_SHAPE);
  const client = await TestClient.connect(`${lab.url.replace('http', 'ws')}/api/terminal/manager1/1?token=${token}`);
  await client.run('stty -echoctl; true');
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const from = client.text.length;
    const t = performance.now();
    client.type('x');
    await client.waitFor(() => client.text.length > from, 5_000, 'echo');
    samples.push(performance.now() - t);
    client.type('\x7f');
    await client.waitFor(() => client.text.length > from + 1, 5_000, 'erase');
  }
  figures['echo into a DinD node, ms'] = { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
  const flood = 20_000_000;
  const r0 = client.received;
  const t0 = performance.now();
  client.type(`head -c ${flood} /dev/zero | tr "\\0" y\r`);
  await client.waitFor(() => client.received - r0 >= flood, 120_000, 'flood');
  const seconds = (performance.now() - t0) / 1000;
  figures['20 MB from a DinD node, MB/s'] = { throughput: flood / 1e6 / seconds };
  await client.close();
  // The gateway keeps a closed tab's shell for its grace period and would rebuild the cluster
  // to reopen it once its node is gone: end the learner's shells before removing the cluster.
  lab.gateway.closeLearner(learner);
  await clusters.down(learner);

  // Node start-up per image: one bare node, from container creation to an answering engine.
  for (const image of [OUR_NODE_IMAGE, PUBLIC_NODE_IMAGE]) {
    if (!(await hasImage(host, image))) {
      console.log(`${image} absent: not measured`);
      continue;
    }
    const probe = new DindDriver({ host, image, privileged: 'auto', socketDir: path.join(dataDir, 'sockets'), cacheDir: path.join(dataDir, 'cache') });
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await probe.up('bench-node', { managers: 1, workers: 0, swarm: 'bare' });
      times.push((performance.now() - t) / 1000);
      await probe.down('bench-node');
    }
    figures[`node start-up (${image}), s`] = { median: median(times), max: Math.max(...times) };
  }

  // The gateway itself on a local shell, against a minimal ws + node-pty relay.
  const term = await benchTerminal({ runs, log: (s) => console.log(s) });
  figures['gateway on a local shell'] = {
    'MB/s': term.throughputMBps,
    'echo p50 ms': term.echoP50Ms,
    'echo p99 ms': term.echoP99Ms,
    'rss after MB': term.rssAfterMB,
  };
} finally {
  // The server first (no shell may ask for a cluster any more), then every cluster it made.
  await lab.close();
  for (const c of [cluster, learner, 'bench-node']) if (c) await driver.down(c);
  await proveNothingLeft(host, dataDir, 'bench:lab');
  await rm(dataDir, { recursive: true, force: true });
}
report('bench:lab', figures, readBaseline('lab'));
if (args.includes('--update-baseline')) writeBaseline('lab', figures);
process.exit(process.exitCode ?? 0);
