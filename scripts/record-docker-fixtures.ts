// npx tsx scripts/record-docker-fixtures.ts [--only bare,empty,deployed,failure] [--out dir]
//
// Records the checker's fixtures (server/checker/fixtures/*.json) from a real swarm: brings up a
// Docker-in-Docker cluster with the project's driver, takes it through a few states, and saves
// in each state the JSON the Docker API answers to the calls the checks make (nodes, services,
// tasks, secrets, configs, networks, volumes, swarm info, containers) and the output of the
// commands they run. A state is saved only once its expectations hold when REPLAYED from the
// recording (server/checker/fixture-context.ts): the fixtures prove themselves.
// Needs a Docker engine, the node image and the stand-in images (server/images/).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { driverContext, evaluate } from '../server/checker';
import { FIXTURES_DIR, fixtureContext } from '../server/checker/fixture-context';
import { takeSnapshot, type ClusterSnapshot, type Probe } from '../server/checker/snapshot';
import { ClusterManager } from '../server/clusters';
import type { ClusterShape, Driver } from '../server/drivers/types';
import { Condition } from '../src/labs/schema';
import { poll } from '../src/shared/poll';
import { dindDriverIn } from '../test/engine';

type Step = { node?: string; run: string } | { node: string; power: 'on' | 'off' };
/** A condition (schema input, without its message) and whether it must pass in this state. */
type Expectation = [Record<string, unknown>, boolean];

interface State {
  name: string;
  description: string;
  steps: Step[];
  probes: Probe[];
  expect: Expectation[];
}

interface Scenario {
  shape: ClusterShape;
  images: string[];
  states: State[];
}

const IMAGES = ['nginx:alpine', 'traefik/whoami', 'redis:alpine'];
const STACK_FILE = ['version: "3.8"', 'services:', '  web:', '    image: nginx:alpine', '    networks: [back]', 'networks:', '  back:', '    driver: overlay'];

const WEB = [
  'docker service create --detach --name web --replicas 3 --network front',
  '--env COLOR=blue --reserve-memory 16M --limit-memory 64M --limit-cpu 0.5',
  '--update-parallelism 2 --update-delay 2s --update-order start-first --update-failure-action rollback --update-monitor 3s',
  '--rollback-parallelism 1 --rollback-order stop-first',
  '--health-cmd true --health-interval 5s --health-retries 2',
  '--placement-pref spread=node.labels.zone',
  '--secret source=db_password,target=db_password,uid=100,gid=101,mode=0440',
  '--config source=site_conf,target=/etc/nginx/conf.d/site.conf,mode=0444',
  'nginx:alpine',
].join(' ');

const SCENARIOS: Scenario[] = [
  {
    shape: { managers: 1, workers: 2, swarm: 'bare' },
    images: [],
    states: [
      {
        name: 'bare',
        description: 'Trois moteurs Docker, aucun swarm (le début du TP swarm-init).',
        steps: [],
        probes: [{ node: 'manager1', cmd: ['sh', '-c', 'docker info --format "{{.Swarm.LocalNodeState}}"'] }],
        expect: [[{ kind: 'swarm', active: false }, true], [{ kind: 'swarm' }, false]],
      },
    ],
  },
  {
    shape: { managers: 1, workers: 2, swarm: 'ready', labels: { manager1: { zone: 'a' }, worker1: { zone: 'a', disk: 'ssd' }, worker2: { zone: 'b' } } },
    images: IMAGES,
    states: [
      {
        name: 'empty',
        description: 'Un swarm prêt (1 manager, 2 workers, labels zone et disk), rien de déployé.',
        steps: [],
        probes: [
          { node: 'manager1', cmd: ['sh', '-c', 'docker node ls --format "{{.Hostname}}"'] },
          { node: 'worker1', cmd: ['sh', '-c', 'test -e /etc/absent'] },
        ],
        expect: [[{ kind: 'swarm', nodes: 3, managers: 1, workers: 2, ready: true, leader: 'manager1' }, true], [{ kind: 'service', service: 'web' }, false]],
      },
      {
        name: 'deployed',
        description: 'Services, secret, config, réseau, stack et volume déployés, puis une mise à jour de « web ».',
        steps: [
          { run: 'docker network create --driver overlay --attachable front' },
          { run: "printf 's3cr3t' | docker secret create db_password -" },
          { run: "printf 'server { listen 80; }\\n' | docker config create site_conf -" },
          { run: 'docker volume create data' },
          { run: WEB },
          { run: 'docker service create --detach --name pinned --constraint node.labels.disk==ssd traefik/whoami' },
          { run: 'docker service create --detach --name agent --mode global --constraint node.role==manager redis:alpine' },
          { run: 'docker service create --detach --name edge --publish mode=host,published=8080,target=80 nginx:alpine' },
          { run: 'docker service create --detach --name greedy --reserve-memory 512G nginx:alpine' },
          { run: 'docker service create --detach --name client --network front nginx:alpine' },
          { run: 'docker service create --detach --name store --constraint node.hostname==worker1 --mount type=volume,source=data,target=/data nginx:alpine' },
          { run: 'docker service create --detach --name locked --user 65534 --secret source=db_password,target=locked,mode=0400 redis:alpine sleep 86400' },
          { run: `mkdir -p /root/app && printf '%s\\n' ${STACK_FILE.map((l) => `'${l}'`).join(' ')} > /root/app/stack.yml && docker stack deploy -c /root/app/stack.yml app` },
          { run: 'docker service update --detach --env-add VERSION=2 web' },
        ],
        probes: [
          { service: 'web', cmd: ['cat', '/run/secrets/db_password'] },
          { service: 'web', cmd: ['cat', '/etc/nginx/conf.d/site.conf'] },
          { service: 'locked', cmd: ['cat', '/run/secrets/locked'] },
          { service: 'client', cmd: ['nslookup', 'tasks.web'] },
          { node: 'manager1', cmd: ['sh', '-c', 'docker service ls --format "{{.Name}} {{.Replicas}}"'] },
        ],
        expect: [
          [{ kind: 'service', service: 'web', replicas: 3, image: 'nginx:alpine', networks: ['front'], env: { COLOR: 'blue', VERSION: '2' }, updateState: 'completed' }, true],
          [{ kind: 'tasks', service: 'web', running: 3, spreadOver: 'zone', healthy: true }, true],
          [{ kind: 'tasks', service: 'pinned', running: 1, onlyOn: ['worker1'] }, true],
          [{ kind: 'tasks', service: 'agent', running: 1 }, true],
          [{ kind: 'tasks', service: 'edge', running: 1 }, true],
          [{ kind: 'tasks', service: 'greedy', pending: { reason: 'insufficient resources' } }, true],
          [{ kind: 'tasks', service: 'store', running: 1 }, true],
          [{ kind: 'tasks', service: 'client', running: 1 }, true],
          [{ kind: 'secret', name: 'db_password', service: 'web', readable: true, content: 's3cr3t' }, true],
          [{ kind: 'secret', name: 'db_password', service: 'locked', readable: true }, false],
          [{ kind: 'config', name: 'site_conf', service: 'web', content: 'server { listen 80; }' }, true],
          [{ kind: 'network', name: 'front', resolves: { from: 'client', name: 'tasks.web', count: 3 } }, true],
          [{ kind: 'stack', name: 'app', services: ['web'] }, true],
          [{ kind: 'tasks', service: 'app_web', running: 1 }, true],
          [{ kind: 'volume', name: 'data', mountedBy: 'store', target: '/data' }, true],
          [{ kind: 'exec', run: 'docker service ls --format "{{.Name}} {{.Replicas}}"', output: 'web 3/3' }, true],
        ],
      },
      {
        name: 'failure',
        description: 'Après « deployed » : worker1 vidé (drain), puis worker2 débranché ; les tâches sont replanifiées.',
        steps: [{ run: 'docker node update --availability drain worker1' }, { node: 'worker2', power: 'off' }],
        probes: [],
        expect: [
          [{ kind: 'node', node: 'worker2', state: 'down' }, true],
          [{ kind: 'node', node: 'worker1', availability: 'drain' }, true],
          [{ kind: 'tasks', service: 'web', running: 3, rescheduledFrom: 'worker2', onlyOn: ['manager1'] }, true],
          [{ kind: 'tasks', service: 'pinned', pending: {} }, true],
          [{ kind: 'tasks', service: 'agent', running: 1 }, true],
        ],
      },
    ],
  },
];

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const only = opt('--only')?.split(',');
const outDir = path.resolve(opt('--out') ?? FIXTURES_DIR);

async function runSteps(driver: Driver, cluster: string, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if ('power' in step) {
      await driver.power(cluster, step.node, step.power);
      continue;
    }
    const node = step.node ?? 'manager1';
    const result = await driver.exec(cluster, node, ['sh', '-c', step.run]);
    if (result.code !== 0) throw new Error(`« ${step.run} » sur ${node} : code ${result.code} : ${(result.stderr || result.stdout).trim()}`);
  }
}

/**
 * Which expectations are not met, on the live cluster (the checker on a real swarm) and replayed
 * from the recording with no engine (the fixture says the same).
 */
async function unmet(snapshot: ClusterSnapshot, expectations: Expectation[]): Promise<string[]> {
  const contexts = { 'en direct': driverContext(driver, cluster), rejoué: fixtureContext(snapshot) };
  const problems: string[] = [];
  for (const [input, pass] of expectations) {
    const condition = Condition.parse({ message: 'enregistrement des fixtures', ...input });
    for (const [how, ctx] of Object.entries(contexts)) {
      const seen = await evaluate(condition, ctx);
      if (seen.ok !== pass) problems.push(`${how} : ${JSON.stringify(input)} ${pass ? 'échoue' : 'passe'} : observé ${seen.observed} ; attendu ${seen.expected}`);
    }
  }
  return problems;
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dec-fixtures-'));
const driver = await dindDriverIn(dataDir);
const clusters = new ClusterManager(driver);
const cluster = 'rec-fixtures';
await mkdir(outDir, { recursive: true });
// Ctrl+C removes the cluster too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void clusters.down(cluster).finally(() => process.exit(130));
  });
}
try {
  for (const scenario of SCENARIOS) {
    if (only && !scenario.states.some((s) => only.includes(s.name))) continue;
    await clusters.reset(cluster, scenario.shape, scenario.images);
    for (const state of scenario.states) {
      await runSteps(driver, cluster, state.steps);
      let snapshot: ClusterSnapshot | undefined;
      let problems: string[] = [];
      // Swarm converges: record again until the recording itself meets the expectations.
      const met = await poll(
        async () => {
          try {
            snapshot = await takeSnapshot(driver, cluster, state.name, state.description, state.probes);
          } catch (error) {
            // A probe needs a running task that is not there yet.
            problems = [(error as Error).message];
            return false;
          }
          problems = await unmet(snapshot, state.expect);
          return problems.length === 0;
        },
        { timeoutMs: 900_000, intervalMs: 5_000 },
      );
      if (!met || !snapshot) throw new Error(`état « ${state.name} » non atteint :\n  ${problems.join('\n  ')}`);
      if (only && !only.includes(state.name)) continue;
      const file = path.join(outDir, `${state.name}.json`);
      const json = `${JSON.stringify(snapshot, null, 1)}\n`;
      await writeFile(file, json);
      console.log(`${path.relative(process.cwd(), file)} : ${(json.length / 1024).toFixed(0)} Kio, ${snapshot.execs.length + snapshot.containerExecs.length} commandes`);
    }
  }
} finally {
  await clusters.down(cluster);
  await rm(dataDir, { recursive: true, force: true });
}
