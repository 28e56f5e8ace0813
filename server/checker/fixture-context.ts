import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { cachedManager, findManager } from './context';
import type { ClusterSnapshot, EngineSnapshot } from './snapshot';
import type { CheckContext, EngineApi, ListOptions } from './types';

/**
 * A check context that answers from a recorded ClusterSnapshot, with no engine: the checks run
 * unchanged on the JSON a real swarm answered. A call the recording cannot answer (a command
 * nobody recorded, a filter the engine would apply differently) throws instead of guessing.
 */
export function fixtureContext(snapshot: ClusterSnapshot): CheckContext {
  const engine = async (name: string): Promise<EngineApi> => {
    const recorded = snapshot.engines[name];
    if (!recorded) throw new Error(`nœud inconnu « ${name} » (nœuds : ${Object.keys(snapshot.engines).join(', ')})`);
    if ('unreachable' in recorded) throw new Error(recorded.unreachable);
    return fixtureEngine(snapshot, recorded);
  };
  return {
    cluster: snapshot.name,
    manager: cachedManager(() => findManager(snapshot.nodes, engine)),
    node: engine,
    async exec(node, cmd) {
      const hit = snapshot.execs.find((e) => e.node === node && same(e.cmd, cmd));
      if (!hit) throw new Error(`commande non enregistrée sur ${node} : ${JSON.stringify(cmd)}`);
      return structuredClone(hit.result);
    },
    async execInContainer(node, container, cmd) {
      const hit = snapshot.containerExecs.find((e) => e.node === node && e.container === container && same(e.cmd, cmd));
      if (!hit) throw new Error(`commande non enregistrée dans ${container.slice(0, 12)} sur ${node} : ${JSON.stringify(cmd)}`);
      return structuredClone(hit.result);
    },
  };
}

/** One node's engine: its own objects, and the swarm's when it is a manager (as the API does). */
function fixtureEngine(snapshot: ClusterSnapshot, recorded: EngineSnapshot): EngineApi {
  const swarm = () => {
    if (!recorded.info.Swarm?.ControlAvailable || !snapshot.swarm) {
      throw new Error('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
    }
    // A manager whose `docker info` carries a swarm error (no leader) refuses the swarm's state with it, as the engine does.
    const error = recorded.info.Swarm.Error;
    if (error) throw Object.assign(new Error(`(HTTP code 500) server error - ${error}`), { statusCode: 500, json: { message: error } });
    return snapshot.swarm;
  };
  return {
    info: async () => structuredClone(recorded.info),
    listNodes: async () => structuredClone(swarm().nodes),
    listServices: async (options) => structuredClone(filterServices(swarm().services as RecordedService[], options)),
    listTasks: async (options) => structuredClone(filterTasks(swarm().tasks as RecordedTask[], swarm().services as RecordedService[], options)),
    listSecrets: async () => structuredClone(swarm().secrets),
    listConfigs: async () => structuredClone(swarm().configs),
    listNetworks: async () => structuredClone(recorded.networks),
    listVolumes: async () => ({ Volumes: structuredClone(recorded.volumes) }),
    getContainer: (id) => ({
      inspect: async (): Promise<Docker.ContainerInspectInfo> => {
        const container = recorded.containers[id];
        if (!container) throw Object.assign(new Error(`(HTTP code 404) no such container - No such container: ${id}`), { statusCode: 404 });
        return structuredClone(container);
      },
    }),
  };
}

interface RecordedService {
  ID: string;
  Spec: { Name: string; Labels?: Record<string, string> };
}

interface RecordedTask {
  ServiceID?: string;
}

/** The engine's service filters: `name` matches name prefixes, `label` is `key` or `key=value`. */
function filterServices(services: RecordedService[], options?: ListOptions): RecordedService[] {
  const { name = [], label = [], ...other } = options?.filters ?? {};
  unsupported('listServices', other);
  return services.filter(
    (s) =>
      (name.length === 0 || name.some((n) => s.Spec.Name.startsWith(n))) &&
      label.every((l) => {
        const [key, value] = splitLabel(l);
        const actual = s.Spec.Labels?.[key];
        return value === undefined ? actual !== undefined : actual === value;
      }),
  );
}

/** The engine's task filter `service`: a service name, or an id or id prefix. */
function filterTasks(tasks: RecordedTask[], services: RecordedService[], options?: ListOptions): RecordedTask[] {
  const { service = [], ...other } = options?.filters ?? {};
  unsupported('listTasks', other);
  if (service.length === 0) return tasks;
  const ids = new Set(services.filter((s) => service.some((v) => s.Spec.Name === v || s.ID.startsWith(v))).map((s) => s.ID));
  return tasks.filter((t) => ids.has(t.ServiceID ?? ''));
}

function unsupported(method: string, filters: Record<string, string[]>): void {
  const keys = Object.keys(filters);
  if (keys.length > 0) throw new Error(`${method} : filtre non rejoué par les fixtures (${keys.join(', ')})`);
}

function splitLabel(label: string): [string, string | undefined] {
  const at = label.indexOf('=');
  return at < 0 ? [label, undefined] : [label.slice(0, at), label.slice(at + 1)];
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The recorded states committed with the checker (scripts/record-docker-fixtures.ts writes them). */
export const FIXTURES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function loadSnapshot(name: string, dir = FIXTURES_DIR): ClusterSnapshot {
  return JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as ClusterSnapshot;
}
