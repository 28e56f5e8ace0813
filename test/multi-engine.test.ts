// Clusters on two real Docker engines of this machine: the host's, and a second dockerd started by
// scripts/second-engine.sh (own socket, data root, network namespace and address pool, TLS), named
// here by a Docker context the real CLI creates, so it is reached like a remote host (TLS, node
// API over dial-stdio, registry seeded without the server's probes). Two learners land on the two
// engines; a terminal and a check work on the second; adopt after a restart finds both; when the
// second engine stops, its learner gets the French message, then a fresh cluster on the first;
// when it comes back, its outdated copy is removed.
import Docker from 'dockerode';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Condition } from '../src/labs/schema';
import { evaluate } from '../server/checker';
import { driverContext } from '../server/checker/context';
import { ClusterManager } from '../server/clusters';
import { REPO_ROOT } from '../server/config';
import { EngineLostError, type DindPoolDriver } from '../server/drivers/dind-pool';
import { LABEL, PROJECT, clusterFilter } from '../server/drivers/labels';
import { clusterAddress, createClusterNetwork, endpoint } from '../server/drivers/dind-network';
import { dindPoolBackend } from '../server/drivers/pool-backend';
import type { ClusterShape } from '../server/drivers/types';
import { spawnNodePty } from '../server/terminals/pty';
import { engine, engineAvailable } from './engine';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'second-engine.sh');
const SOCKET = '/run/dec-engine2/docker.sock';
const CERTS = '/run/dec-engine2/certs';
const second = new Docker({ socketPath: SOCKET });

async function secondEngineAnswers(): Promise<boolean> {
  return second.ping().then(() => true, () => false);
}

/** The second engine can run here: root and dockerd (CI has both); else skipped loudly. */
async function secondEnginePossible(): Promise<boolean> {
  if (!(await engineAvailable('two Docker engines'))) return false;
  const root = process.getuid?.() === 0;
  const dockerd = spawnSync('sh', ['-c', 'command -v dockerd']).status === 0;
  if (root && dockerd) return true;
  const why = root ? 'dockerd is not installed' : 'not root (the second engine is a dockerd)';
  if (process.env.CI) throw new Error(`two Docker engines: ${why} in CI`);
  console.warn(`\n!!! two Docker engines: SKIPPED — ${why}.\n`);
  return false;
}

function script(action: 'start' | 'stop'): void {
  execFileSync('bash', [SCRIPT, action], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env } });
}

const enabled = await secondEnginePossible();

/** Which engine (0: the host's, 1: the second) holds a cluster's node containers, from their labels. */
async function enginesHolding(cluster: string, home: string): Promise<number[]> {
  const held: number[] = [];
  for (const [i, docker] of [engine, second].entries()) {
    const containers = await docker.listContainers({ all: true, filters: clusterFilter(cluster, home) }).catch(() => []);
    if (containers.some((c) => c.Labels[LABEL.node])) held.push(i);
  }
  return held;
}

/** Types a command into a node's shell through the driver's spec and returns what the terminal showed. */
async function typeInTerminal(driver: DindPoolDriver, cluster: string, node: string, command: string): Promise<string> {
  const spec = await driver.shell(cluster, node);
  const term = spawnNodePty(spec, { cols: 120, rows: 30 });
  let screen = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      term.onData((b) => {
        screen += b.toString('utf8');
        if (screen.includes('END-OF-TEST-4')) resolve(screen);
      });
      term.onExit((code) => reject(new Error(`the shell ended (code ${code}): ${screen}`)));
      term.write(`${command}; echo END-OF-TEST-$((2+2))\r`);
    });
  } finally {
    term.kill('SIGKILL');
  }
}

/** The host's default bridge is there (the first engine's containers on its default network need it). */
function hostBridgeExists(): boolean {
  return spawnSync('ip', ['link', 'show', 'docker0'], { stdio: 'ignore' }).status === 0;
}

describe.skipIf(!enabled)('clusters on two Docker engines', { timeout: 900_000 }, async () => {
  const startedHere = !(await secondEngineAnswers());
  const bridgeBefore = hostBridgeExists();
  script('start');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dec-two-engines-'));
  const home = path.join(dir, 'sockets');
  // The second engine as a Docker context, created by the real CLI in a private configuration.
  process.env.DOCKER_CONFIG = path.join(dir, 'docker-config');
  execFileSync('docker', [
    'context', 'create', 'dec-engine2',
    '--docker', `host=tcp://10.214.0.2:23760,ca=${CERTS}/ca.pem,cert=${CERTS}/cert.pem,key=${CERTS}/key.pem`,
  ], { stdio: 'ignore' });
  const engines = ['unix:///var/run/docker.sock', 'dec-engine2'];
  const backend = () =>
    dindPoolBackend({ engines, nodeImage: process.env.DEC_NODE_IMAGE, privileged: 'auto', socketDir: home, cacheDir: path.join(dir, 'cache') });
  const { driver, reason } = await backend();
  const clusters = new ClusterManager(driver);
  const shape: ClusterShape = { managers: 1, workers: 1, swarm: 'ready' };
  const [a, b] = ['learner-a', 'learner-b'];
  const images = ['registry:5000/web:1'];

  afterAll(async () => {
    if (!(await secondEngineAnswers())) script('start');
    // `down` finds each cluster wherever it is; nothing of either is left on either engine.
    await driver.down(a);
    await driver.down(b);
    for (const docker of [engine, second]) {
      const filters = clusterFilter(undefined, home);
      const left = [
        ...(await docker.listContainers({ all: true, filters })).map((c) => c.Names[0]),
        ...(await docker.listNetworks({ filters })).map((n) => n.Name),
        ...((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name),
      ];
      expect(left).toEqual([]);
    }
    if (startedHere) script('stop');
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves the first engine\'s default bridge alone (the second runs in its own network namespace)', () => {
    expect(hostBridgeExists()).toBe(bridgeBefore);
  });

  it('places two learners on the two engines, the least loaded first', async () => {
    expect(reason).toContain('2 moteurs (unix:///var/run/docker.sock, dec-engine2');
    // Together, as a room arrives: the placement still spreads them.
    await Promise.all([clusters.ensure(a, shape, images), clusters.ensure(b, shape, images)]);
    const holders = [await enginesHolding(a, home), await enginesHolding(b, home)];
    expect(holders.map((h) => h.length)).toEqual([1, 1]);
    expect(new Set(holders.flat())).toEqual(new Set([0, 1]));
    expect(await driver.engineOf(a)).toBe(engines[holders[0]![0]!]);
    expect(await driver.engineOf(b)).toBe(engines[holders[1]![0]!]);
  });

  it('opens terminals and checks the swarm on the second engine', async () => {
    const onSecond = (await enginesHolding(a, home))[0] === 1 ? a : b;
    const spec = await driver.shell(onSecond, 'manager1');
    expect(spec.env).toMatchObject({ DOCKER_CONTEXT: 'dec-engine2', DOCKER_CONFIG: process.env.DOCKER_CONFIG });
    const screen = await typeInTerminal(driver, onSecond, 'manager1', "docker node ls --format '{{.Hostname}}:{{.Status}}'");
    expect(screen).toContain('worker1:Ready');
    // The checker, over dial-stdio through the second engine.
    const condition = Condition.parse({ kind: 'swarm', nodes: 2, managers: 1, workers: 1, ready: true, message: 'Deux nœuds prêts.' });
    expect(await evaluate(condition, driverContext(driver, onSecond))).toMatchObject({ ok: true });
    // The lab image, copied to the second engine and pushed into the cluster's registry there.
    const pulled = await driver.exec(onSecond, 'worker1', ['docker', 'pull', '-q', 'registry:5000/web:1']);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    // Power goes to the node's own engine.
    await driver.power(onSecond, 'worker1', 'off');
    const workerState = async () =>
      (await second.listContainers({ all: true, filters: { label: [...clusterFilter(onSecond, home).label, `${LABEL.node}=worker1`] } }))[0]?.State;
    expect(await workerState()).toBe('exited');
    await driver.power(onSecond, 'worker1', 'on');
    expect(await workerState()).toBe('running');
    expect((await driver.exec(onSecond, 'worker1', ['docker', 'version', '--format', '{{.Server.Os}}'])).stdout.trim()).toBe('linux');
  });

  it('finds the clusters of both engines after a restart', async () => {
    const restarted = (await backend()).driver;
    expect(await restarted.adopt()).toEqual([a, b]);
    expect([await restarted.engineOf(a), await restarted.engineOf(b)].sort()).toEqual([...engines].sort());
  });

  // The second engine's pools hold 16 networks (scripts/second-engine.sh), an engine as installed about 30.
  it('past the engine\'s address pools, a cluster network gets a free /26 of 10.212.0.0/16, fixed addresses included', async () => {
    const labels = { [LABEL.project]: PROJECT, [LABEL.home]: home, [LABEL.cluster]: 'subnets' };
    const made: string[] = [];
    try {
      for (let i = 0; ; i++) {
        expect(i, 'the second engine\'s pools should run out').toBeLessThan(64);
        const filled = await second.createNetwork({ Name: `dec-pool-filler-${i}`, Labels: labels }).then(
          () => true,
          (error: Error) => {
            if (/address pool/.test(error.message)) return false;
            throw error;
          },
        );
        if (!filled) break;
        made.push(`dec-pool-filler-${i}`);
      }
      const subnets: string[] = [];
      for (const name of ['dec-subnets-a', 'dec-subnets-b']) {
        subnets.push(await createClusterNetwork(second, name, labels));
        made.push(name);
      }
      expect(subnets[0]).toMatch(/^10\.212\.\d+\.\d+\/26$/);
      expect(subnets[1]).toMatch(/^10\.212\.\d+\.\d+\/26$/);
      expect(subnets[0]).not.toBe(subnets[1]);
      const address = clusterAddress(subnets[1]!, 'worker9');
      const container = await second.createContainer({
        Image: process.env.DEC_NODE_IMAGE ?? 'docker-en-cluster/node:trixie',
        Entrypoint: ['sleep', '30'],
        Labels: labels,
        HostConfig: { NetworkMode: 'dec-subnets-b' },
        NetworkingConfig: { EndpointsConfig: { 'dec-subnets-b': endpoint('worker9', address) } },
      });
      try {
        await container.start();
        expect((await container.inspect()).NetworkSettings.Networks['dec-subnets-b']?.IPAddress).toBe(address);
      } finally {
        await container.remove({ force: true });
      }
    } finally {
      for (const name of made.reverse()) await second.getNetwork(name).remove();
    }
  });

  it('says when the second engine dies, then builds a fresh cluster on the first', async () => {
    const onSecond = (await enginesHolding(a, home))[0] === 1 ? a : b;
    script('stop');
    const lost = await clusters.ensure(onSecond, shape, images).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(lost).toBeInstanceOf(EngineLostError);
    expect((lost as Error).message).toContain('Le moteur Docker qui hébergeait votre cluster ne répond plus\u00a0: un nouveau cluster va être créé sur un autre hôte');
    // The next action: a new cluster, on the engine that answers.
    await clusters.ensure(onSecond, shape, images);
    expect(await driver.engineOf(onSecond)).toBe(engines[0]);
    expect(await typeInTerminal(driver, onSecond, 'worker1', 'hostname')).toContain('worker1');
    // The engine comes back with its outdated copy (restarted by its restart policy): removed.
    script('start');
    for (;;) {
      await driver.engineOf('nobody');
      if ((await enginesHolding(onSecond, home)).join() === '0') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await enginesHolding(onSecond, home)).toEqual([0]);
    // A restarted dockerd removes a default bridge left in its store: its own, not the host's.
    expect(hostBridgeExists()).toBe(bridgeBefore);
  });
});
