import { z } from 'zod';
import { NODE_ACTIONS } from '../shared/lab-contract';
import { NODE_NAME, NODE_NAME_HINT, nodesOfShape } from '../shared/nodes';

// Validation messages in French: instructors read them.
z.config(z.locales.fr());

/**
 * The lab format (labs/<id>/lab.yaml). A check is data: a kind, its parameters, a French
 * failure message and progressive hints, interpreted by server/checker/. Only the generic
 * `exec` kind runs a command of the lab's own.
 */

export { NODE_NAME } from '../shared/nodes';

/** The node names of a cluster shape, managers first: manager1…, worker1…. */
export function shapeNodeNames(shape: { managers: number; workers: number }): string[] {
  return nodesOfShape(shape).map((n) => n.name);
}

const nodeName = z.string().regex(NODE_NAME, NODE_NAME_HINT);
const name = z.string().min(1).max(63);
const labels = z.record(z.string(), z.string());

/**
 * A command typed into a node's terminal (instructions, solutions, setup), or an action on a
 * node (`action: stop` pulls the plug of a node's machine, `start` plugs it back, `isolate` cuts
 * it off the cluster's network, `reconnect` plugs it back in: the failure labs need what no
 * command inside the cluster can do).
 */
export const CommandBlock = z.union([
  z
    .object({
      node: nodeName.default('manager1'),
      run: z.string().min(1),
      /** Shown above the block in the instructions. */
      caption: z.string().optional(),
    })
    .strict(),
  z
    .object({
      node: nodeName,
      action: z.enum(NODE_ACTIONS),
      caption: z.string().optional(),
    })
    .strict(),
]);

const base = {
  /** French message shown when the condition fails (what the learner must achieve). */
  message: z.string().min(1),
  hints: z.array(z.string().min(1)).default([]),
  /** How long the checker waits for Swarm to converge before failing, in seconds. */
  timeout: z.number().positive().max(300).optional(),
};

const SwarmCheck = z
  .object({
    kind: z.literal('swarm'),
    active: z.boolean().default(true),
    nodes: z.number().int().min(0).optional(),
    managers: z.number().int().min(0).optional(),
    workers: z.number().int().min(0).optional(),
    ready: z.boolean().optional(),
    leader: nodeName.optional(),
    /**
     * `true`: a leader is elected and the swarm answers management commands; `false`: its
     * managers lost their majority, no leader, every management command refused (quorum-loss).
     */
    quorum: z.boolean().optional(),
    ...base,
  })
  .strict();

const NodeCheck = z
  .object({
    kind: z.literal('node'),
    node: nodeName,
    role: z.enum(['manager', 'worker']).optional(),
    availability: z.enum(['active', 'pause', 'drain']).optional(),
    state: z.enum(['ready', 'down']).optional(),
    labels: labels.optional(),
    leader: z.boolean().optional(),
    /** A manager the other managers reach in the Raft group (`Reachable` in `docker node ls`). */
    reachable: z.boolean().optional(),
    ...base,
  })
  .strict();

const Port = z.object({ published: z.number().int(), target: z.number().int(), protocol: z.enum(['tcp', 'udp']).default('tcp'), mode: z.enum(['ingress', 'host']).optional() }).strict();
const UpdatePolicy = z
  .object({
    parallelism: z.number().int().min(0).optional(),
    delay: z.string().optional(),
    order: z.enum(['stop-first', 'start-first']).optional(),
    failureAction: z.enum(['pause', 'continue', 'rollback']).optional(),
    monitor: z.string().optional(),
  })
  .strict();

const ServiceCheck = z
  .object({
    kind: z.literal('service'),
    service: name,
    exists: z.boolean().default(true),
    mode: z.enum(['replicated', 'global']).optional(),
    /** Desired replicas (replicated mode). */
    replicas: z.number().int().min(0).optional(),
    /** Image reference, compared on repository and tag (digest ignored). */
    image: z.string().optional(),
    ports: z.array(Port).optional(),
    networks: z.array(name).optional(),
    env: z.record(z.string(), z.string()).optional(),
    /**
     * Placement constraints, compared as parsed expressions (`node.labels.disk == ssd` and
     * `node.labels.disk==ssd` are the same). Prefer `eligible`, which judges what they do.
     */
    constraints: z.array(z.string()).optional(),
    /** The nodes the service's placement constraints admit, evaluated against the nodes' roles and labels: exactly these. */
    eligible: z.array(nodeName).min(1).optional(),
    /** How the service is reached: a virtual IP (`vip`, the default) or DNS round-robin (`dnsrr`). */
    endpointMode: z.enum(['vip', 'dnsrr']).optional(),
    /** Spread preferences, as label descriptors: `node.labels.zone`. */
    preferences: z.array(z.string()).optional(),
    reservations: z.object({ memory: z.string().optional(), cpus: z.number().optional() }).strict().optional(),
    limits: z.object({ memory: z.string().optional(), cpus: z.number().optional() }).strict().optional(),
    update: UpdatePolicy.optional(),
    rollback: UpdatePolicy.optional(),
    healthcheck: z
      .object({
        /** Deprecated: compares the command's spelling (substring). Use `failsAfter`, which judges what the command does. */
        test: z.string().optional(),
        interval: z.string().optional(),
        retries: z.number().int().optional(),
        /**
         * A behavioural probe: in a scratch container of the service's image (on manager1, outside
         * the swarm, removed afterwards) the service's own health command passes, then fails once
         * this shell command has run in the container (e.g. `rm /usr/share/nginx/html/index.html`).
         */
        failsAfter: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Update status: `completed`, `paused`, `rollback_completed`… */
    updateState: z.enum(['updating', 'paused', 'completed', 'rollback_started', 'rollback_paused', 'rollback_completed']).optional(),
    ...base,
  })
  .strict();

const TasksCheck = z
  .object({
    kind: z.literal('tasks'),
    service: name,
    running: z.number().int().min(0).optional(),
    /** Running tasks sit on at least this many distinct nodes. */
    distinctNodes: z.number().int().min(1).optional(),
    /** Running tasks cover every value of this node label (e.g. `zone`), balanced within one. */
    spreadOver: z.string().optional(),
    /** Running tasks only on these nodes. */
    onlyOn: z.array(nodeName).optional(),
    /** No running task on these nodes. */
    notOn: z.array(nodeName).optional(),
    /** Exactly this many running tasks on each of these nodes (e.g. tasks kept by a paused node). */
    perNode: z.record(nodeName, z.number().int().min(0)).optional(),
    /** Tasks waiting for a node, with a reason containing this text (e.g. `insufficient resources`). */
    pending: z.object({ count: z.number().int().min(1).optional(), reason: z.string().optional() }).strict().optional(),
    /** A task ran on this node before and has been replaced elsewhere. */
    rescheduledFrom: nodeName.optional(),
    healthy: z.boolean().optional(),
    ...base,
  })
  .strict();

const attachment = {
  /** The service that must mount it. */
  service: name.optional(),
  target: z.string().optional(),
  uid: z.string().optional(),
  gid: z.string().optional(),
  /** Octal file mode, e.g. `0440`. */
  mode: z.string().regex(/^0?[0-7]{3}$/).optional(),
  /** Read it for real inside a running task of the service, on whichever node it runs. */
  readable: z.boolean().optional(),
  /** Expected content when read inside the task (exact, trailing newline ignored). */
  content: z.string().optional(),
};

const SecretCheck = z.object({ kind: z.literal('secret'), name, exists: z.boolean().default(true), ...attachment, ...base }).strict();
const ConfigCheck = z.object({ kind: z.literal('config'), name, exists: z.boolean().default(true), ...attachment, ...base }).strict();

const NetworkCheck = z
  .object({
    kind: z.literal('network'),
    name,
    exists: z.boolean().default(true),
    driver: z.string().optional(),
    attachable: z.boolean().optional(),
    services: z.array(name).optional(),
    /** From a running task of `from`, `name` resolves to `count` addresses (e.g. `tasks.web`). */
    resolves: z.object({ from: name, name: z.string(), count: z.number().int().min(1).optional() }).strict().optional(),
    ...base,
  })
  .strict();

const StackCheck = z
  .object({ kind: z.literal('stack'), name, exists: z.boolean().default(true), services: z.array(name).optional(), ...base })
  .strict();

const VolumeCheck = z
  .object({
    kind: z.literal('volume'),
    name,
    /** Node whose engine must have the volume. */
    node: nodeName.default('manager1'),
    exists: z.boolean().default(true),
    driver: z.string().optional(),
    /** A running task of this service mounts the volume. */
    mountedBy: name.optional(),
    target: z.string().optional(),
    ...base,
  })
  .strict();

const ExecCheck = z
  .object({
    kind: z.literal('exec'),
    node: nodeName.default('manager1'),
    /** Run with `sh -c` on the node: a read-only command. */
    run: z.string().min(1),
    exitCode: z.number().int().default(0),
    /** Regular expression the output must match. */
    output: z.string().optional(),
    ...base,
  })
  .strict();

/** A kernel feature a lab needs (server/checker/kernel.ts): absent, the learner reads what is missing. */
const KernelCheck = z
  .object({ kind: z.literal('kernel'), feature: z.enum(['ipvs', 'ipsec']), node: nodeName.default('manager1'), ...base })
  .strict();

export const Condition = z.discriminatedUnion('kind', [
  SwarmCheck,
  NodeCheck,
  ServiceCheck,
  TasksCheck,
  SecretCheck,
  ConfigCheck,
  NetworkCheck,
  StackCheck,
  VolumeCheck,
  ExecCheck,
  KernelCheck,
]);

/** A wrong solution the course CI runs to prove a subtle check fails. */
const WrongSolution = z
  .object({
    name: z.string().min(1),
    commands: z.array(CommandBlock).min(1),
    /** Indexes (from 0) of the conditions that must fail after it. */
    fails: z.array(z.number().int().min(0)).min(1),
  })
  .strict();

/** Another correct way to solve the exercise: the course CI proves the check passes after it too. */
const AlternativeSolution = z
  .object({
    name: z.string().min(1),
    commands: z.array(CommandBlock).min(1),
  })
  .strict();

export const Exercise = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'identifiant en minuscules, chiffres et tirets'),
    title: z.string().min(1),
    /** French instructions, Markdown. */
    instructions: z.string().min(1),
    commands: z.array(CommandBlock).default([]),
    conditions: z.array(Condition).min(1),
    solution: z.array(CommandBlock).min(1),
    wrong: z.array(WrongSolution).default([]),
    alternatives: z.array(AlternativeSolution).default([]),
    cleanup: z.array(CommandBlock).default([]),
  })
  .strict();

export const Lab = z
  .object({
    title: z.string().min(1),
    /** One French sentence: what the learner practises. */
    summary: z.string().min(1),
    /** An optional lab: the day plan can skip it (marked « optionnel » on its slide and in the progress view). */
    optional: z.boolean().default(false),
    cluster: z
      .object({
        managers: z.number().int().min(1).max(7).default(1),
        workers: z.number().int().min(0).max(8).default(2),
        swarm: z.enum(['ready', 'bare']).default('ready'),
        labels: z.record(nodeName, labels).optional(),
      })
      .strict()
      .default({ managers: 1, workers: 2, swarm: 'ready' }),
    /** Images preloaded into every node from the host engine (no registry pulls). */
    images: z.array(z.string()).default([]),
    /** Commands that bring a fresh cluster to the lab's starting state. */
    setup: z.array(CommandBlock).default([]),
    exercises: z.array(Exercise).min(1),
  })
  .strict();

export type CommandBlock = z.infer<typeof CommandBlock>;
export type Condition = z.infer<typeof Condition>;
export type Exercise = z.infer<typeof Exercise>;
export type LabDefinition = z.infer<typeof Lab>;
export type ConditionKind = Condition['kind'];
