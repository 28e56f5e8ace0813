// The cluster map: what a lab slide (and the instructor's cockpit) shows of a learner's swarm.
// One column per node, the tasks of each service as chips. `buildClusterMap` turns what a
// manager's Docker API answered (nodes, services, tasks) and what the driver says of the machines
// into that state; the server pushes it on the `cluster-map` topic, the browser renders it
// (src/lab/map/). Pure: no Node or DOM import, unit-tested on recorded API answers.
import * as z from 'zod/mini';
import { byNodeOrder, roleOf } from './nodes';
import { topic } from './live-protocol';

/** What the machine of a node does (driver's view): a stopped or paused node answers nothing. */
export const MACHINE_STATES = ['running', 'stopped', 'paused', 'unknown'] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

/** How a chip is drawn: Docker's task states grouped by what the learner must understand. */
export const TASK_PHASES = ['running', 'starting', 'pending', 'failed', 'stopping'] as const;
export type TaskPhase = (typeof TASK_PHASES)[number];

const node = z.object({
  name: z.string(),
  role: z.enum(['manager', 'worker']),
  leader: z.boolean(),
  /** Swarm's availability; null when the swarm does not know the node (bare engines). */
  availability: z.nullable(z.enum(['active', 'pause', 'drain'])),
  /** Swarm's state of the node (ready, down, unknown, disconnected); null outside a swarm. */
  state: z.nullable(z.string()),
  machine: z.enum(MACHINE_STATES),
});
export type MapNode = z.infer<typeof node>;

const service = z.object({
  id: z.string(),
  name: z.string(),
  mode: z.enum(['replicated', 'global', 'job']),
  /** Wanted replicas (replicated mode). */
  replicas: z.nullable(z.number()),
  /** Index in the palette (stable: by name order). */
  colour: z.number(),
  healthcheck: z.boolean(),
});
export type MapService = z.infer<typeof service>;

const task = z.object({
  id: z.string(),
  service: z.string(),
  /** Slot of a replicated task, null for a global one. */
  slot: z.nullable(z.number()),
  /** Node name, null while the task waits for one. */
  node: z.nullable(z.string()),
  phase: z.enum(TASK_PHASES),
  /** Docker's own state (running, preparing, pending, rejected…). */
  state: z.string(),
  /** Container health when the service has a healthcheck. */
  health: z.optional(z.enum(['healthy', 'unhealthy', 'starting'])),
  /** Why it waits or failed, in French (« ressources insuffisantes »…). */
  reason: z.optional(z.string()),
  /** Docker's raw message (Err, else Message). */
  message: z.optional(z.string()),
});
export type MapTask = z.infer<typeof task>;

export const clusterMapState = z.object({
  /** Milliseconds since the epoch when the manager answered. */
  at: z.number(),
  /** Name of the node whose engine answered for the swarm, null when none did. */
  manager: z.nullable(z.string()),
  /** Why there is no swarm view, in French. */
  error: z.optional(z.string()),
  nodes: z.array(node),
  services: z.array(service),
  tasks: z.array(task),
});
export type ClusterMapState = z.infer<typeof clusterMapState>;

/** Pages ask for their learner's map (`watch`); the server pushes every new state. */
export const clusterMapTopic = topic('cluster-map', z.object({ cluster: z.string(), state: clusterMapState }), z.object({ watch: z.boolean() }));

/**
 * The cockpit follows one learner's map (`learner`, or null to stop): instructor pages only; the
 * states come on `clusterMapTopic`, with that learner's cluster id.
 */
export const learnerMapTopic = topic('learner-map', z.object({}), z.object({ learner: z.nullable(z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/))) }));

/** Size of the palette the map's CSS defines (`.map-colour-N`). */
export const PALETTE_SIZE = 8;

// --- the Docker API answers, as far as the map reads them ---
interface ApiNode {
  ID?: string;
  Description?: { Hostname?: string };
  Spec?: { Role?: string; Availability?: string };
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean };
}
interface ApiService {
  ID?: string;
  Spec?: {
    Name?: string;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object; ReplicatedJob?: object; GlobalJob?: object };
    TaskTemplate?: { ContainerSpec?: { Healthcheck?: { Test?: string[] } } };
  };
}
interface ApiTask {
  ID?: string;
  ServiceID?: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Version?: { Index?: number };
  Status?: { State?: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string } };
}

export interface MapInput {
  at: number;
  /** The node that answered, null when no manager did. */
  manager: string | null;
  error?: string;
  /** The driver's nodes, with their machine state. */
  machines: { name: string; machine: MachineState }[];
  nodes: unknown[];
  services: unknown[];
  tasks: unknown[];
  /** Health of a running task's container, by task id (services with a healthcheck). */
  health?: Record<string, 'healthy' | 'unhealthy' | 'starting'>;
}

const PHASE: Record<string, TaskPhase> = {
  running: 'running',
  new: 'pending',
  pending: 'pending',
  assigned: 'starting',
  accepted: 'starting',
  ready: 'starting',
  preparing: 'starting',
  starting: 'starting',
  failed: 'failed',
  rejected: 'failed',
  orphaned: 'failed',
  shutdown: 'stopping',
  complete: 'stopping',
  remove: 'stopping',
};

/** French words for one cause of a scheduling refusal; null: keep Docker's words. */
function translatePart(part: string): string | null {
  let m = /insufficient resources on (\d+) nodes?/.exec(part);
  if (m) return `ressources insuffisantes (${nodesText(Number(m[1]))})`;
  m = /scheduling constraints not satisfied on (\d+) nodes?/.exec(part);
  if (m) return `aucun nœud ne satisfait la contrainte (${nodesText(Number(m[1]))})`;
  m = /(\d+) nodes? not available for new tasks/.exec(part);
  if (m) return `${nodesText(Number(m[1]))} indisponible${Number(m[1]) > 1 ? 's' : ''} (vidé, en pause ou arrêté)`;
  m = /max replicas per node limit exceed/.exec(part);
  if (m) return 'limite de tâches par nœud atteinte';
  if (/^no suitable node$/.test(part.trim())) return 'aucun nœud ne convient';
  return null;
}

function nodesText(n: number): string {
  return `${n}\u00a0nœud${n > 1 ? 's' : ''}`;
}

/**
 * Docker's scheduling error in French: `no suitable node (insufficient resources on 3 nodes)`
 * → « ressources insuffisantes (3 nœuds) »; causes joined with « ; ». Unknown messages are kept.
 */
export function pendingReason(err: string): string {
  const inside = /\((.*)\)\s*$/.exec(err);
  const parts = (inside ? inside[1]! : err).split(';').map((p) => p.trim()).filter(Boolean);
  const words = parts.map((p) => translatePart(p) ?? p);
  return words.join('\u202f; ');
}

function serviceMode(s: ApiService): MapService['mode'] {
  const mode = s.Spec?.Mode ?? {};
  if (mode.Global) return 'global';
  if (mode.ReplicatedJob || mode.GlobalJob) return 'job';
  return 'replicated';
}

function hasHealthcheck(s: ApiService): boolean {
  const test = s.Spec?.TaskTemplate?.ContainerSpec?.Healthcheck?.Test;
  return Boolean(test && test.length && test[0] !== 'NONE');
}

function newer(a: ApiTask, b: ApiTask): boolean {
  const ia = a.Version?.Index ?? 0;
  const ib = b.Version?.Index ?? 0;
  if (ia !== ib) return ia > ib;
  return (a.CreatedAt ?? '') > (b.CreatedAt ?? '');
}

const WANTED = new Set(['running', 'ready', 'accepted']);

/**
 * The tasks a learner should see: per replicated slot (or per node of a global service) the
 * task Swarm wants running, else the last one when it failed; finished history is left out.
 */
function currentTasks(tasks: ApiTask[], services: Map<string, MapService>): ApiTask[] {
  const bySlot = new Map<string, ApiTask>();
  for (const t of tasks) {
    const svc = t.ServiceID ? services.get(t.ServiceID) : undefined;
    if (!svc || !t.ID) continue;
    const key = `${t.ServiceID}/${svc.mode === 'replicated' ? `s${t.Slot ?? 0}` : `n${t.NodeID ?? t.ID}`}`;
    const wanted = WANTED.has(t.DesiredState ?? '');
    const prev = bySlot.get(key);
    const prevWanted = prev ? WANTED.has(prev.DesiredState ?? '') : false;
    if (!prev || (wanted && !prevWanted) || (wanted === prevWanted && newer(t, prev))) bySlot.set(key, t);
  }
  return [...bySlot.values()].filter((t) => {
    if (WANTED.has(t.DesiredState ?? '')) return true;
    const phase = PHASE[t.Status?.State ?? ''] ?? 'pending';
    if (phase === 'running') return true; // being stopped: still there
    const svc = services.get(t.ServiceID!)!;
    // A failed task whose slot the service still wants: the learner must see it failed.
    return phase === 'failed' && (svc.mode !== 'replicated' || (t.Slot ?? 0) <= (svc.replicas ?? 0));
  });
}

export function buildClusterMap(input: MapInput): ClusterMapState {
  const apiNodes = input.nodes as ApiNode[];
  const idToName = new Map<string, string>();
  for (const n of apiNodes) if (n.ID) idToName.set(n.ID, n.Description?.Hostname ?? n.ID);

  const names = new Set<string>([...input.machines.map((m) => m.name), ...idToName.values()]);
  const nodes: MapNode[] = [...names]
    .map((name): MapNode => {
      const same = apiNodes.filter((n) => n.Description?.Hostname === name);
      // A node that left and joined again is listed twice: the entry that is up wins.
      const api = same.find((n) => n.Status?.State === 'ready') ?? same[0];
      const machine = input.machines.find((m) => m.name === name)?.machine ?? 'unknown';
      const role = api?.Spec?.Role === 'manager' || api?.Spec?.Role === 'worker' ? api.Spec.Role : roleOf(name);
      const availability = api?.Spec?.Availability;
      return {
        name,
        role,
        leader: Boolean(api?.ManagerStatus?.Leader),
        availability: availability === 'active' || availability === 'pause' || availability === 'drain' ? availability : null,
        state: api?.Status?.State ?? null,
        machine,
      };
    })
    .sort(byNodeOrder);

  const apiServices = (input.services as ApiService[]).filter((s) => s.ID && s.Spec?.Name);
  const sortedNames = apiServices.map((s) => s.Spec!.Name!).sort();
  const services = new Map<string, MapService>();
  for (const s of apiServices) {
    const mode = serviceMode(s);
    services.set(s.ID!, {
      id: s.ID!,
      name: s.Spec!.Name!,
      mode,
      replicas: mode === 'replicated' ? (s.Spec?.Mode?.Replicated?.Replicas ?? 1) : null,
      colour: sortedNames.indexOf(s.Spec!.Name!) % PALETTE_SIZE,
      healthcheck: hasHealthcheck(s),
    });
  }

  const tasks: MapTask[] = currentTasks(input.tasks as ApiTask[], services).map((t) => {
    const state = t.Status?.State ?? 'new';
    let phase = PHASE[state] ?? 'pending';
    if (phase === 'running' && !WANTED.has(t.DesiredState ?? '')) phase = 'stopping';
    const err = t.Status?.Err;
    const out: MapTask = {
      id: t.ID!,
      service: t.ServiceID!,
      slot: services.get(t.ServiceID!)?.mode === 'replicated' ? (t.Slot ?? null) : null,
      node: t.NodeID ? (idToName.get(t.NodeID) ?? null) : null,
      phase,
      state,
    };
    const health = input.health?.[t.ID!];
    if (health && services.get(t.ServiceID!)?.healthcheck) out.health = health;
    if (err) {
      out.message = err;
      out.reason = phase === 'pending' ? pendingReason(err) : err;
    } else if (t.Status?.Message && phase !== 'running') out.message = t.Status.Message;
    return out;
  });
  tasks.sort((a, b) => serviceName(services, a).localeCompare(serviceName(services, b)) || (a.slot ?? 0) - (b.slot ?? 0) || (a.node ?? '').localeCompare(b.node ?? ''));

  const state: ClusterMapState = {
    at: input.at,
    manager: input.manager,
    nodes,
    services: [...services.values()].sort((a, b) => a.name.localeCompare(b.name)),
    tasks,
  };
  if (input.error) state.error = input.error;
  return state;
}

function serviceName(services: Map<string, MapService>, t: MapTask): string {
  return services.get(t.service)?.name ?? '';
}

/** Whether the swarm is still moving (a task on its way): worth a quick second look. */
export function isSettling(state: ClusterMapState): boolean {
  return state.tasks.some((t) => t.phase === 'starting' || t.phase === 'stopping' || (t.phase === 'pending' && !t.reason) || t.health === 'starting');
}

/** Two states show the same thing (the time of the reading aside). */
export function sameMap(a: ClusterMapState | null, b: ClusterMapState): boolean {
  return a !== null && JSON.stringify({ ...a, at: 0 }) === JSON.stringify({ ...b, at: 0 });
}

/** One line per service, for the screen readers' live region: « web : 3 tâches en cours sur 3 nœuds ». */
export function serviceSummary(state: ClusterMapState, s: MapService): string {
  const tasks = state.tasks.filter((t) => t.service === s.id);
  const running = tasks.filter((t) => t.phase === 'running');
  const nodes = new Set(running.map((t) => t.node).filter(Boolean)).size;
  const parts = [`${s.name}\u00a0: ${running.length}\u00a0tâche${running.length > 1 ? 's' : ''} en cours sur ${nodes}\u00a0nœud${nodes > 1 ? 's' : ''}`];
  const pending = tasks.filter((t) => t.phase === 'pending').length;
  const failed = tasks.filter((t) => t.phase === 'failed').length;
  if (pending) parts.push(`${pending} en attente`);
  if (failed) parts.push(`${failed} en échec`);
  return parts.join(', ');
}

/** What changed between two states, in French sentences, for the live region (never one per chip). */
export function mapChanges(before: ClusterMapState | null, after: ClusterMapState): string[] {
  const lines: string[] = [];
  for (const n of after.nodes) {
    const old = before?.nodes.find((x) => x.name === n.name);
    const now = nodeSituation(n);
    if (old && nodeSituation(old) !== now) lines.push(`${n.name}\u00a0: ${now}`);
  }
  for (const s of after.services) {
    const line = serviceSummary(after, s);
    const old = before?.services.find((x) => x.id === s.id);
    if (!old || serviceSummary(before!, old) !== line) lines.push(line);
  }
  for (const s of before?.services ?? []) if (!after.services.some((x) => x.id === s.id)) lines.push(`${s.name}\u00a0: service supprimé`);
  return lines;
}

/** A node's situation in words (the map's column header says the same). */
export function nodeSituation(n: MapNode): string {
  if (n.machine === 'stopped') return 'machine arrêtée';
  if (n.machine === 'paused') return 'machine en pause';
  if (n.state === 'down') return 'injoignable (down)';
  if (n.state === null) return 'hors swarm';
  if (n.state !== 'ready') return n.state;
  if (n.availability === 'drain') return 'vidé (drain)';
  if (n.availability === 'pause') return 'en pause (pause)';
  return 'prêt';
}
