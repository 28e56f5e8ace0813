import type { CheckContext, EngineApi } from './types';

/** Plain views of the Swarm API objects the checks read (dockerode's types are loose). */
export interface SwarmNode {
  ID: string;
  Description?: { Hostname?: string; Platform?: { OS?: string; Architecture?: string }; Engine?: { Labels?: Record<string, string> } };
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
}

export interface FileRef {
  File?: { Name?: string; UID?: string; GID?: string; Mode?: number };
  SecretID?: string;
  SecretName?: string;
  ConfigID?: string;
  ConfigName?: string;
}

export interface UpdateConfig {
  Parallelism?: number;
  Delay?: number;
  FailureAction?: string;
  Monitor?: number;
  Order?: string;
}

export interface Service {
  ID: string;
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object };
    TaskTemplate?: {
      ContainerSpec?: {
        Image?: string;
        Env?: string[];
        Secrets?: FileRef[];
        Configs?: FileRef[];
        Mounts?: { Type?: string; Source?: string; Target?: string }[];
        Command?: string[];
        Args?: string[];
        Healthcheck?: { Test?: string[]; Interval?: number; Retries?: number };
      };
      Placement?: { Constraints?: string[]; Preferences?: { Spread?: { SpreadDescriptor?: string } }[] };
      Resources?: { Reservations?: { MemoryBytes?: number; NanoCPUs?: number }; Limits?: { MemoryBytes?: number; NanoCPUs?: number } };
      Networks?: { Target?: string }[];
    };
    EndpointSpec?: { Mode?: string; Ports?: { PublishedPort?: number; TargetPort?: number; Protocol?: string; PublishMode?: string }[] };
    UpdateConfig?: UpdateConfig;
    RollbackConfig?: UpdateConfig;
    Networks?: { Target?: string }[];
  };
  UpdateStatus?: { State?: string; Message?: string };
}

export interface Task {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  Status?: { State?: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string } };
}

export async function listNodes(docker: EngineApi): Promise<SwarmNode[]> {
  return (await docker.listNodes()) as unknown as SwarmNode[];
}

export async function findService(docker: EngineApi, name: string): Promise<Service | undefined> {
  // The API's name filter matches prefixes: compare exactly here.
  const services = (await docker.listServices({ filters: { name: [name] } })) as unknown as Service[];
  return services.find((s) => s.Spec.Name === name);
}

export async function tasksOf(docker: EngineApi, service: Service): Promise<Task[]> {
  const tasks = (await docker.listTasks({ filters: { service: [service.ID] } })) as unknown as Task[];
  return tasks.filter((t) => t.ServiceID === service.ID);
}

export function isRunning(t: Task): boolean {
  return t.Status?.State === 'running' && t.DesiredState === 'running';
}

export function hostnames(nodes: SwarmNode[]): Map<string, string> {
  return new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
}

/** `nginx:alpine`, `docker.io/library/nginx:alpine@sha256:…` → `nginx:alpine`. */
export function normalizeImage(ref: string): string {
  let image = ref.split('@')[0]!;
  image = image.replace(/^docker\.io\//, '').replace(/^library\//, '');
  const lastSlash = image.lastIndexOf('/');
  if (!image.slice(lastSlash + 1).includes(':')) image += ':latest';
  return image;
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go durations as the CLI takes them (`10s`, `1m30s`, `500ms`) → nanoseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== text.length || consumed === 0) throw new Error(`durée invalide « ${text} » (exemples : 10s, 1m30s, 500ms)`);
  return Math.round(total);
}

export function formatDuration(ns: number | undefined): string {
  if (!ns) return '0s';
  if (ns % 1e9 === 0) return `${ns / 1e9}s`;
  return `${ns / 1e6}ms`;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** Memory sizes as the CLI takes them (`256M`, `1G`, `512k`) → bytes. */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`taille invalide « ${text} » (exemples : 256M, 1G)`);
  return Math.round(Number(m[1]) * unit);
}

export function formatBytes(n: number | undefined): string {
  if (!n) return '0';
  for (const [unit, size] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['k', 1024]] as const) if (n % size === 0) return `${n / size}${unit}`;
  return `${n} octets`;
}

/** Runs a command inside one running task of a service, on whichever node it runs. */
export async function execInTask(
  ctx: CheckContext,
  serviceName: string,
  cmd: string[],
): Promise<{ node: string; code: number; output: string } | { error: string }> {
  const manager = await ctx.manager();
  const service = await findService(manager, serviceName);
  if (!service) return { error: `le service « ${serviceName} » n’existe pas` };
  const running = (await tasksOf(manager, service)).filter(isRunning);
  if (running.length === 0) return { error: `aucune tâche de « ${serviceName} » n’est en cours d’exécution` };
  const names = hostnames(await listNodes(manager));
  const task = running[0]!;
  const node = names.get(task.NodeID ?? '') ?? '?';
  const containerId = task.Status?.ContainerStatus?.ContainerID;
  if (!containerId) return { error: `la tâche de « ${serviceName} » sur ${node} n’a pas encore de conteneur` };
  const result = await ctx.execInContainer(node, containerId, cmd);
  return { node, code: result.code, output: result.stdout + result.stderr };
}
