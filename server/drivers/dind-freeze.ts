import type Docker from 'dockerode';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DindDriver } from './dind';
import { DindPoolDriver } from './dind-pool';
import { poll } from '../../src/shared/poll';
import type { ClusterFreezer, Driver } from './types';

/**
 * Freezing a DinD cluster: `docker pause` of every node container (the cgroup freezer: 0 % CPU,
 * memory kept, `docker exec` sessions frozen with it). A plain pause breaks the swarm: on
 * thaw the manager finds its heartbeat deadlines passed, declares the workers down and
 * reschedules every task. So the dispatcher's heartbeat period is raised first (what
 * `docker swarm update --dispatcher-heartbeat` does) and the freeze waits until every node has
 * sent one heartbeat under the old period and so learnt the new one (a node's deadline is three
 * of its periods after its last heartbeat); the thaw resumes the containers, then restores the
 * old period. A node learns a period only when it beats, and it would beat next one raised
 * period later, its failures noticed that late: so after the thaw, `renew` ends each node's
 * session with the dispatcher (`ss -K` of its connections to port 2377), and the node registers
 * again at once, beating under the old period. The old period is kept in a file of the data folder: a
 * restarted server thaws with the right value.
 */

interface FrozenState {
  /** The manager whose engine was told; absent when the cluster has no swarm (the init lab). */
  manager?: string;
  /** The dispatcher heartbeat period before the freeze, in nanoseconds. */
  heartbeatNs?: number;
}

let warned = false;

/** How long a node may take to register again after its session ended (it reconnects at once). */
const REGISTER_TIMEOUT_MS = 10_000;

/** swarmkit's heartbeat jitter (epsilon, 0.5 s) plus a margin for a loaded host. */
const HEARTBEAT_MARGIN_MS = 1500;

export class DindFreezer implements ClusterFreezer {
  constructor(
    /** The DinD driver of the engine that holds a cluster (one engine, or one of a pool's). */
    private readonly locate: (cluster: string) => Promise<DindDriver | undefined>,
    /** Folder of the frozen-state files (one per cluster). */
    private readonly dir: string,
    /** The period set while frozen: three of them must outlast the longest freeze. */
    private readonly frozenHeartbeatMs: number,
  ) {}

  private async driver(cluster: string): Promise<DindDriver> {
    const driver = await this.locate(cluster);
    if (!driver) throw new Error(`cluster ${cluster} introuvable sur les moteurs Docker`);
    return driver;
  }

  async prepare(cluster: string): Promise<number> {
    const known = await this.state(cluster);
    const driver = await this.driver(cluster);
    const manager = known ? (known.manager ? { name: known.manager, docker: await driver.docker(cluster, known.manager) } : undefined) : await this.swarmManager(driver, cluster);
    if (!manager) {
      await this.save(cluster, {});
      return 0;
    }
    const swarm = (await manager.docker.swarmInspect()) as SwarmInfo;
    const current = swarm.Spec.Dispatcher?.HeartbeatPeriod ?? 5e9;
    // A second prepare (a restart in the middle) keeps the period seen the first time.
    const heartbeatNs = known?.heartbeatNs ?? current;
    await this.save(cluster, { manager: manager.name, heartbeatNs });
    const raised = this.frozenHeartbeatMs * 1e6;
    if (current !== raised) await setHeartbeat(manager.docker, swarm, raised);
    return Math.ceil(heartbeatNs / 1e6) + HEARTBEAT_MARGIN_MS;
  }

  async freeze(cluster: string): Promise<void> {
    const driver = await this.driver(cluster);
    await Promise.all(
      (await driver.nodes(cluster)).map(async ({ name }) => {
        const container = driver.nodeContainer(cluster, name);
        const info = await container.inspect();
        // A node a failure lab powered off stays off; it is not frozen.
        if (info.State.Running && !info.State.Paused) await container.pause();
      }),
    );
  }

  async thaw(cluster: string): Promise<boolean> {
    const driver = await this.locate(cluster);
    if (!driver) {
      await this.forget(cluster);
      return false;
    }
    await Promise.all(
      (await driver.nodes(cluster)).map(async ({ name }) => {
        const container = driver.nodeContainer(cluster, name);
        if ((await container.inspect()).State.Paused) await container.unpause();
      }),
    );
    const state = await this.state(cluster);
    let restored = false;
    if (state?.manager && state.heartbeatNs !== undefined) {
      const docker = await driver.docker(cluster, state.manager);
      const swarm = (await docker.swarmInspect()) as SwarmInfo;
      if (swarm.Spec.Dispatcher?.HeartbeatPeriod !== state.heartbeatNs) await setHeartbeat(docker, swarm, state.heartbeatNs);
      restored = true;
    }
    await this.forget(cluster);
    return restored;
  }

  /**
   * Every running node registers again with the dispatcher, and so beats at once under the
   * restored period. Not part of the thaw: the action that thawed the cluster needs the nodes,
   * not their new sessions (a `docker exec` per node costs a few hundred ms on a loaded host).
   * Done when the manager has recorded each new registration (the node's object version moves):
   * a node paused or stopped before it registered again would keep the raised deadline.
   */
  async renew(cluster: string): Promise<void> {
    const driver = await this.locate(cluster);
    const manager = driver && (await this.swarmManager(driver, cluster));
    if (!driver || !manager) return;
    const before = await nodeVersions(manager.docker);
    const running = (await Promise.all(
      (await driver.nodes(cluster)).map(async ({ name }) => ((await driver.nodeContainer(cluster, name).inspect()).State.Running ? [name] : [])),
    )).flat();
    const results = await Promise.all(
      // Exit 3: no `ss`; 4: `ss -K` refused. A node removed meanwhile (the cluster reclaimed
      // or reset: the exec fails or is killed) is not a missing `ss`. `ss -K` lists the
      // connections it ended (a manager's own agent has none to port 2377).
      running.map(async (node) => {
        const r = await driver
          .exec(cluster, node, ['sh', '-c', "command -v ss >/dev/null || exit 3; ss -K -H 'dport = :2377' || exit 4"])
          .catch(() => ({ code: 0, stdout: '' }));
        return { node, code: r.code, ended: r.stdout.includes(':2377') };
      }),
    );
    if (results.some((r) => r.code === 3 || r.code === 4) && !warned) {
      warned = true;
      console.warn('gel des clusters\u00a0: « ss -K » indisponible dans un nœud (iproute2, noyau avec INET_DIAG_DESTROY)\u202f; après un dégel, la panne d’un nœud est vue avec retard');
    }
    const waiting = new Set(results.filter((r) => r.ended).map((r) => r.node));
    await poll(
      async () => {
        const now = await nodeVersions(manager.docker).catch(() => new Map<string, number>());
        for (const node of waiting) if ((now.get(node) ?? 0) > (before.get(node) ?? Infinity)) waiting.delete(node);
        return waiting.size === 0;
      },
      { timeoutMs: REGISTER_TIMEOUT_MS, intervalMs: 200 },
    );
  }

  /** Its state file says so, or one of its nodes is paused (by hand, or by a run that crashed). */
  async frozen(cluster: string): Promise<boolean> {
    if ((await this.state(cluster)) !== undefined) return true;
    const driver = await this.locate(cluster).catch(() => undefined);
    if (!driver) return false;
    const states = await Promise.all((await driver.nodes(cluster)).map(async ({ name }) => (await driver.nodeContainer(cluster, name).inspect()).State.Paused));
    return states.some(Boolean);
  }

  async forget(cluster: string): Promise<void> {
    await rm(this.file(cluster), { force: true });
  }

  /** The first manager whose engine is part of a swarm (none in the init lab before `swarm init`). */
  private async swarmManager(driver: DindDriver, cluster: string): Promise<{ name: string; docker: Docker } | undefined> {
    for (const node of await driver.nodes(cluster)) {
      if (node.role !== 'manager') continue;
      const docker = await driver.docker(cluster, node.name);
      const ok = await docker.swarmInspect().then(
        () => true,
        () => false,
      );
      if (ok) return { name: node.name, docker };
    }
    return undefined;
  }

  private file(cluster: string): string {
    return path.join(this.dir, `${cluster}.json`);
  }

  private async state(cluster: string): Promise<FrozenState | undefined> {
    const text = await readFile(this.file(cluster), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as FrozenState;
    } catch {
      return {};
    }
  }

  private async save(cluster: string, state: FrozenState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFile(this.file(cluster), JSON.stringify(state), { mode: 0o600 });
  }
}

interface SwarmInfo {
  Version: { Index: number };
  Spec: { Dispatcher?: { HeartbeatPeriod?: number } } & Record<string, unknown>;
}

/** Each swarm node's object version by hostname (a registration bumps it), from a manager. */
async function nodeVersions(docker: Docker): Promise<Map<string, number>> {
  const nodes = (await docker.listNodes()) as { Description?: { Hostname?: string }; Version?: { Index?: number } }[];
  return new Map(nodes.map((n) => [n.Description?.Hostname ?? '', n.Version?.Index ?? 0]));
}

async function setHeartbeat(docker: Docker, swarm: SwarmInfo, periodNs: number): Promise<void> {
  const spec = { ...swarm.Spec, Dispatcher: { ...swarm.Spec.Dispatcher, HeartbeatPeriod: periodNs } };
  await docker.swarmUpdate({ _query: { version: swarm.Version.Index }, _body: spec });
}

/** The freezer of a driver that can freeze (DinD on one engine or several), or null: the others never freeze. */
export function freezerFor(driver: Driver | null, dir: string, frozenHeartbeatMs: number): ClusterFreezer | null {
  if (driver instanceof DindDriver) return new DindFreezer(async () => driver, dir, frozenHeartbeatMs);
  if (driver instanceof DindPoolDriver) return new DindFreezer(async (cluster) => (await driver.slotOf(cluster))?.driver, dir, frozenHeartbeatMs);
  return null;
}
