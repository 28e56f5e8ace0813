// Follows one cluster for its map: ONE subscription to a manager's Docker events, and reads of
// the manager's nodes, services and tasks when something happens.
//
// What the manager's event stream says (checked on Docker 26.1 nodes, Debian 13): Swarm emits
// `service` (create, update, remove), `node` (update: availability, role, state), `secret` and
// `config` events with scope `swarm`; there are no task events, a task's progress shows as
// `container` events (create, start, die, health_status…) on the engine of the node that runs
// it, so the manager's own stream only carries the containers of the manager itself. Hence:
// an event triggers a read (debounced, at most one every `minIntervalMs`); while the swarm
// moves (a task starting, stopping, a health check starting) reads follow every `settleMs`;
// and a slow safety poll (`pollMs`) catches what no event announced (a worker's task becoming
// running, a node declared down after its heartbeat). When the manager stops answering (the
// failure labs stop managers, even the leader) the watcher finds another one, and the driver's
// status tells which machines are stopped or paused.
import type Docker from 'dockerode';
import { findManagerNode } from '../checker/context';
import { NoManagerError } from '../checker/types';
import type { NodeAccess, ClusterLifecycle } from '../drivers/types';
import { buildClusterMap, isSettling, sameMap, type ClusterMapState, type MachineState } from '../../src/shared/cluster-map';
import { withTimeout } from '../../src/shared/poll';

export type WatchDriver = Pick<NodeAccess, 'nodes' | 'docker'> & Pick<ClusterLifecycle, 'status'>;

export interface WatchOptions {
  /** Quiet time after an event before reading (events come in bursts). */
  debounceMs?: number;
  /** Least time between two reads. */
  minIntervalMs?: number;
  /** Next read while the swarm is moving. */
  settleMs?: number;
  /** Safety poll while someone watches. */
  pollMs?: number;
}

const EVENT_TYPES: ('node' | 'service' | 'secret' | 'config' | 'container')[] = ['node', 'service', 'secret', 'config', 'container'];
/** A read that hangs (a paused manager answers nothing) is given up; the next trigger reads again. */
const READ_TIMEOUT_MS = 5000;

export class ClusterWatch {
  private state: ClusterMapState | null = null;
  private manager: { name: string; api: Docker } | null = null;
  private events: NodeJS.ReadableStream | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly poll: NodeJS.Timeout;
  private reading = false;
  private dirty = false;
  private lastRead = 0;
  private stopped = false;
  private readonly opts: Required<WatchOptions>;
  /** Events received (the bench counts them). */
  eventCount = 0;
  readCount = 0;
  /** Reads finished (successful or not). */
  private doneCount = 0;

  constructor(
    private readonly driver: WatchDriver,
    readonly cluster: string,
    private readonly onState: (state: ClusterMapState) => void,
    /** A swarm event arrived (the automatic checks listen). */
    private readonly onEvent: () => void = () => undefined,
    options: WatchOptions = {},
  ) {
    this.opts = { debounceMs: 150, minIntervalMs: 250, settleMs: 500, pollMs: 2000, ...options };
    this.poll = setInterval(() => this.trigger(), this.opts.pollMs);
    this.trigger(0);
  }

  /** The last state read, if any. */
  get current(): ClusterMapState | null {
    return this.state;
  }

  /** Something may have changed (a command returned in a terminal): read soon. */
  poke(): void {
    this.trigger();
  }

  /**
   * The state once a read that started after this call has finished and the swarm stopped
   * moving, or the last state after `timeoutMs` (the recorder waits so before ending a cast).
   */
  async settled(timeoutMs: number): Promise<ClusterMapState | null> {
    const after = this.readCount;
    this.trigger(0);
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && !(this.doneCount > after && this.state && !isSettling(this.state))) await new Promise((r) => setTimeout(r, 50));
    return this.state;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
    this.closeEvents();
  }

  private trigger(delay = this.opts.debounceMs): void {
    if (this.stopped) return;
    if (this.reading) return void (this.dirty = true);
    if (this.timer) return;
    const wait = Math.max(delay, this.lastRead + this.opts.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.read();
    }, wait);
  }

  private async read(): Promise<void> {
    if (this.stopped) return;
    this.reading = true;
    this.dirty = false;
    this.readCount++;
    try {
      const next = await withTimeout(this.take(), READ_TIMEOUT_MS, 'lecture trop longue');
      if (!this.stopped && !sameMap(this.state, next)) {
        this.state = next;
        this.onState(next);
      }
    } catch {
      // A read that failed half way (or hung: a paused manager): the next trigger reads again,
      // from a manager found anew.
      this.dropManager();
    } finally {
      this.lastRead = Date.now();
      this.reading = false;
      this.doneCount++;
    }
    if (this.stopped) return;
    if (this.dirty) this.trigger();
    else if (this.state && isSettling(this.state)) this.trigger(this.opts.settleMs);
  }

  private async take(): Promise<ClusterMapState> {
    const at = Date.now();
    let swarm: { nodes: unknown[]; services: unknown[]; tasks: unknown[] } | null = null;
    let error: string | undefined;
    for (let attempt = 0; attempt < 2 && !swarm; attempt++) {
      try {
        const m = await this.ensureManager();
        const [nodes, services, tasks] = await Promise.all([m.api.listNodes(), m.api.listServices(), m.api.listTasks()]);
        swarm = { nodes, services, tasks };
      } catch (e) {
        // The manager went away (stopped, demoted): look for another one once.
        this.dropManager();
        error = e instanceof NoManagerError ? e.message : `le manager ne répond pas : ${(e as Error).message}`;
      }
    }
    const apiNodes = (swarm?.nodes ?? []) as { Status?: { State?: string } }[];
    // The driver's view of the machines costs a listing: only when the swarm sees trouble.
    const machines = !swarm || apiNodes.some((n) => n.Status?.State !== 'ready') ? await this.machines() : await this.runningMachines();
    const health = swarm ? await this.health(swarm.services, swarm.tasks, swarm.nodes) : {};
    return buildClusterMap({
      at,
      manager: swarm ? (this.manager?.name ?? null) : null,
      ...(swarm ? {} : { error }),
      machines,
      nodes: swarm?.nodes ?? [],
      services: swarm?.services ?? [],
      tasks: swarm?.tasks ?? [],
      health,
    });
  }

  private async ensureManager(): Promise<{ name: string; api: Docker }> {
    if (this.manager) return this.manager;
    // A stopped or paused machine answers nothing (a paused one never answers): skip it.
    const all = await this.driver.nodes(this.cluster);
    const nodes = all.filter((n) => (n.machine ?? 'running') === 'running');
    if (all.length && !nodes.length) throw new NoManagerError('aucune machine du cluster ne tourne (arrêtées ou en pause)');
    const found = await findManagerNode(nodes, (name) => this.driver.docker(this.cluster, name));
    this.manager = found;
    await this.subscribe(found.api);
    return found;
  }

  private dropManager(): void {
    this.manager = null;
    this.closeEvents();
  }

  private async subscribe(api: Docker): Promise<void> {
    this.closeEvents();
    const stream = (await api.getEvents({ filters: { type: EVENT_TYPES } })) as unknown as NodeJS.ReadableStream;
    if (this.stopped) return void destroy(stream);
    this.events = stream;
    stream.on('data', () => {
      this.eventCount++;
      this.onEvent();
      this.trigger();
    });
    const ended = (): void => {
      if (this.events !== stream) return;
      // The manager's engine went away: find another at the next read, which comes now.
      this.dropManager();
      this.trigger();
    };
    stream.on('end', ended);
    stream.on('error', ended);
    stream.on('close', ended);
  }

  private closeEvents(): void {
    const stream = this.events;
    this.events = null;
    if (stream) destroy(stream);
  }

  private async runningMachines(): Promise<{ name: string; machine: MachineState }[]> {
    // dind says it with the node list; other drivers only when asked for their status.
    return (await this.driver.nodes(this.cluster)).map((n) => ({ name: n.name, machine: n.machine ?? 'running' }));
  }

  private async machines(): Promise<{ name: string; machine: MachineState }[]> {
    try {
      const status = await this.driver.status(this.cluster);
      return status.nodes.map((n) => ({ name: n.name, machine: n.machine ?? (n.reachable ? 'running' : 'unknown') }));
    } catch {
      return (await this.driver.nodes(this.cluster)).map((n) => ({ name: n.name, machine: 'unknown' }));
    }
  }

  /** Container health of the running tasks of services with a healthcheck, read on their nodes. */
  private async health(services: unknown[], tasks: unknown[], nodes: unknown[]): Promise<Record<string, 'healthy' | 'unhealthy' | 'starting'>> {
    type S = { ID?: string; Spec?: { TaskTemplate?: { ContainerSpec?: { Healthcheck?: { Test?: string[] } } } } };
    type T = { ID?: string; ServiceID?: string; NodeID?: string; Status?: { State?: string; ContainerStatus?: { ContainerID?: string } } };
    const checked = new Set((services as S[]).filter((s) => (s.Spec?.TaskTemplate?.ContainerSpec?.Healthcheck?.Test?.[0] ?? 'NONE') !== 'NONE').map((s) => s.ID));
    if (!checked.size) return {};
    const names = new Map((nodes as { ID?: string; Description?: { Hostname?: string } }[]).map((n) => [n.ID, n.Description?.Hostname]));
    const out: Record<string, 'healthy' | 'unhealthy' | 'starting'> = {};
    await Promise.all(
      (tasks as T[])
        .filter((t) => checked.has(t.ServiceID) && t.Status?.State === 'running' && t.Status.ContainerStatus?.ContainerID && t.ID)
        .map(async (t) => {
          const node = names.get(t.NodeID);
          if (!node) return;
          try {
            const info = await (await this.driver.docker(this.cluster, node)).getContainer(t.Status!.ContainerStatus!.ContainerID!).inspect();
            const h = info.State.Health?.Status;
            if (h === 'healthy' || h === 'unhealthy' || h === 'starting') out[t.ID!] = h;
          } catch {
            /* the node went away: no health to show */
          }
        }),
    );
    return out;
  }
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
}
