import type { Condition } from '../../src/labs/schema';
import { Comparison, list, missing, plural } from './comparison';
import {
  findService,
  formatBytes,
  formatDuration,
  listNodes,
  normalizeImage,
  parseBytes,
  parseDuration,
  type Service,
  type UpdateConfig,
} from './swarm-objects';
import { ENDPOINT, UPDATE_STATE } from '../../src/labs/criteria';
import { probeHealthcheck } from './health-probe';
import { canonicalConstraint, eligibleNodes } from './placement';
import type { CheckContext, EngineApi, Observation } from './types';

type ServiceCondition = Extract<Condition, { kind: 'service' }>;
type Policy = NonNullable<ServiceCondition['update']>;



export async function checkService(c: ServiceCondition, ctx: CheckContext): Promise<Observation> {
  const manager = await ctx.manager();
  const service = await findService(manager, c.service);
  if (!c.exists) {
    return new Comparison().add(`service ${c.service}`, service ? 'existe' : 'absent', 'absent').result();
  }
  if (!service) return missing(`le service « ${c.service} »`, `un service nommé « ${c.service} »`);
  const spec = service.Spec;
  const container = spec.TaskTemplate?.ContainerSpec ?? {};
  const cmp = new Comparison();
  if (c.mode) cmp.add('mode', spec.Mode?.Global ? 'global' : 'replicated', c.mode);
  if (c.replicas !== undefined) {
    const replicas = spec.Mode?.Replicated?.Replicas;
    cmp.add('réplicas demandés', replicas === undefined ? 'mode global' : plural(replicas, 'réplica'), plural(c.replicas, 'réplica'));
  }
  if (c.image) cmp.add('image', normalizeImage(container.Image ?? '?'), normalizeImage(c.image));
  if (c.ports) {
    const actual = (spec.EndpointSpec?.Ports ?? []).map((p) => `${p.PublishedPort}:${p.TargetPort}/${p.Protocol ?? 'tcp'}${p.PublishMode === 'host' ? ' (host)' : ''}`);
    const wanted = c.ports.map((p) => `${p.published}:${p.target}/${p.protocol}${p.mode === 'host' ? ' (host)' : ''}`);
    cmp.add('ports publiés', list(actual), list(wanted), wanted.every((w) => actual.includes(w)));
  }
  if (c.networks) {
    const names = await networkNames(manager, service);
    cmp.add('réseaux', list(names), list(c.networks), c.networks.every((n) => names.includes(n)));
  }
  if (c.env) {
    const env = new Map((container.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    for (const [k, v] of Object.entries(c.env)) cmp.add(`variable ${k}`, env.has(k) ? env.get(k)! : 'absente', v);
  }
  if (c.constraints) {
    const actual = spec.TaskTemplate?.Placement?.Constraints ?? [];
    const canonical = actual.map(canonicalConstraint);
    cmp.add('contraintes', list(actual), list(c.constraints), c.constraints.every((w) => canonical.includes(canonicalConstraint(w))));
  }
  if (c.eligible) {
    const constraints = spec.TaskTemplate?.Placement?.Constraints ?? [];
    const admitted = eligibleNodes(await listNodes(manager), constraints);
    const wanted = [...c.eligible].sort();
    const why = constraints.length ? `contraintes ${list(constraints)} : ` : 'sans contrainte : ';
    cmp.add('nœuds admis par le placement', `${why}${list(admitted)}`, `exactement ${list(wanted)}`, admitted.join() === wanted.join());
  }
  if (c.endpointMode) {
    const mode = spec.EndpointSpec?.Mode ?? 'vip';
    cmp.add('mode d’accès au service', ENDPOINT[mode] ?? mode, ENDPOINT[c.endpointMode]!);
  }
  if (c.preferences) {
    const actual = (spec.TaskTemplate?.Placement?.Preferences ?? []).map((p) => `spread=${p.Spread?.SpreadDescriptor}`);
    const wanted = c.preferences.map((p) => `spread=${p}`);
    cmp.add('préférences de placement', list(actual), list(wanted), wanted.every((w) => actual.includes(w)));
  }
  for (const key of ['reservations', 'limits'] as const) {
    const want = c[key];
    if (!want) continue;
    const res = spec.TaskTemplate?.Resources?.[key === 'reservations' ? 'Reservations' : 'Limits'] ?? {};
    const label = key === 'reservations' ? 'réservation' : 'limite';
    if (want.memory !== undefined) cmp.add(`${label} mémoire`, formatBytes(res.MemoryBytes), formatBytes(parseBytes(want.memory)));
    if (want.cpus !== undefined) cmp.add(`${label} CPU`, String((res.NanoCPUs ?? 0) / 1e9), String(want.cpus));
  }
  if (c.update) comparePolicy(cmp, 'mise à jour', spec.UpdateConfig, c.update);
  if (c.rollback) comparePolicy(cmp, 'retour arrière', spec.RollbackConfig, c.rollback);
  if (c.healthcheck) {
    const hc = container.Healthcheck;
    if (!hc?.Test?.length) cmp.add('contrôle de santé', 'aucun', 'un contrôle de santé (--health-cmd)', false);
    else {
      if (c.healthcheck.test) {
        const test = hc.Test.slice(1).join(' ');
        cmp.add('commande de santé', test, `contient « ${c.healthcheck.test} »`, test.includes(c.healthcheck.test));
      }
      if (c.healthcheck.failsAfter) {
        const probe = await probeHealthcheck(ctx, service, c.healthcheck.failsAfter);
        cmp.add(
          'effet du contrôle de santé',
          probe.detail,
          `sain sur un conteneur neuf, malade après « ${c.healthcheck.failsAfter} »`,
          probe.healthyAtStart && probe.failsAfterBreak,
        );
      }
      if (c.healthcheck.interval) cmp.add('intervalle de santé', formatDuration(hc.Interval), formatDuration(parseDuration(c.healthcheck.interval)));
      if (c.healthcheck.retries !== undefined) cmp.add('essais', String(hc.Retries ?? 0), String(c.healthcheck.retries));
    }
  }
  if (c.updateState) {
    const state = service.UpdateStatus?.State;
    cmp.add('état de la mise à jour', state ? UPDATE_STATE[state] ?? state : 'aucune mise à jour', UPDATE_STATE[c.updateState]!);
  }
  return cmp.result(service.UpdateStatus?.State ? UPDATE_STATE[service.UpdateStatus.State] : undefined);
}

function comparePolicy(cmp: Comparison, label: string, actual: UpdateConfig | undefined, want: Policy): void {
  const a = actual ?? {};
  if (want.parallelism !== undefined) cmp.add(`${label} : parallélisme`, String(a.Parallelism ?? 1), String(want.parallelism));
  if (want.delay !== undefined) cmp.add(`${label} : délai`, formatDuration(a.Delay), formatDuration(parseDuration(want.delay)));
  if (want.order !== undefined) cmp.add(`${label} : ordre`, a.Order ?? 'stop-first', want.order);
  if (want.failureAction !== undefined) cmp.add(`${label} : action en cas d’échec`, a.FailureAction ?? 'pause', want.failureAction);
  if (want.monitor !== undefined) cmp.add(`${label} : surveillance`, formatDuration(a.Monitor), formatDuration(parseDuration(want.monitor)));
}

export async function networkNames(manager: EngineApi, service: Service): Promise<string[]> {
  const attached = [...(service.Spec.TaskTemplate?.Networks ?? []), ...(service.Spec.Networks ?? [])].map((n) => n.Target ?? '');
  if (attached.length === 0) return [];
  const networks = await manager.listNetworks();
  return attached.map((id) => networks.find((n) => n.Id === id || n.Name === id)?.Name ?? id);
}
