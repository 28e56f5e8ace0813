import type { Condition } from '../../src/labs/schema';
import { Comparison, list, missing, plural } from './comparison';
import { findService, hostnames, isRunning, listNodes, tasksOf } from './swarm-objects';
import type { CheckContext, Observation } from './types';

type TasksCondition = Extract<Condition, { kind: 'tasks' }>;

export async function checkTasks(c: TasksCondition, ctx: CheckContext): Promise<Observation> {
  const manager = await ctx.manager();
  const service = await findService(manager, c.service);
  if (!service) return missing(`le service « ${c.service} »`, `un service nommé « ${c.service} »`);
  const nodes = await listNodes(manager);
  const names = hostnames(nodes);
  const tasks = await tasksOf(manager, service);
  const running = tasks.filter(isRunning);
  const where = running.map((t) => names.get(t.NodeID ?? '') ?? '?');
  const desired = service.Spec.Mode?.Replicated?.Replicas ?? nodes.filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active').length;
  const progress = `${running.length}/${desired} tâches en cours`;
  const cmp = new Comparison();
  if (c.running !== undefined) cmp.add('tâches en cours', plural(running.length, 'tâche'), plural(c.running, 'tâche'));
  if (c.distinctNodes !== undefined) {
    const distinct = [...new Set(where)].sort();
    cmp.add('nœuds distincts', `${distinct.length} (${list(distinct)})`, `au moins ${c.distinctNodes}`, distinct.length >= c.distinctNodes);
  }
  if (c.spreadOver) {
    const label = c.spreadOver;
    const byValue = new Map<string, number>();
    for (const n of nodes) {
      const v = n.Spec?.Labels?.[label];
      if (v !== undefined && !byValue.has(v)) byValue.set(v, 0);
    }
    for (const t of running) {
      const v = nodes.find((n) => n.ID === t.NodeID)?.Spec?.Labels?.[label];
      if (v !== undefined) byValue.set(v, (byValue.get(v) ?? 0) + 1);
    }
    const counts = [...byValue.values()];
    const text = [...byValue.entries()].sort().map(([v, n]) => `${label}=${v} : ${n}`).join(', ') || `aucun nœud n’a le label ${label}`;
    const ok = counts.length > 0 && Math.min(...counts) >= 1 && Math.max(...counts) - Math.min(...counts) <= 1;
    cmp.add(`répartition par ${label}`, text, `tâches réparties équitablement entre toutes les valeurs de ${label}`, ok);
  }
  if (c.onlyOn) {
    const outside = where.filter((n) => !c.onlyOn!.includes(n));
    cmp.add('placement', `tâches sur ${list([...new Set(where)].sort())}`, `uniquement sur ${list(c.onlyOn)}`, outside.length === 0 && where.length > 0);
  }
  if (c.notOn) {
    const inside = where.filter((n) => c.notOn!.includes(n));
    cmp.add('placement', `tâches sur ${list([...new Set(where)].sort())}`, `aucune tâche sur ${list(c.notOn)}`, inside.length === 0);
  }
  if (c.perNode) {
    for (const [node, count] of Object.entries(c.perNode)) {
      const there = where.filter((n) => n === node).length;
      cmp.add(`tâches sur ${node}`, plural(there, 'tâche'), plural(count, 'tâche'), there === count);
    }
  }
  if (c.pending) {
    const pending = tasks.filter((t) => t.DesiredState === 'running' && t.Status?.State === 'pending');
    const withReason = c.pending.reason ? pending.filter((t) => `${t.Status?.Err ?? ''} ${t.Status?.Message ?? ''}`.includes(c.pending!.reason!)) : pending;
    const reasons = [...new Set(pending.map((t) => t.Status?.Err || t.Status?.Message || '?'))];
    const need = c.pending.count ?? 1;
    cmp.add(
      'tâches en attente',
      pending.length ? `${plural(pending.length, 'tâche')} (${reasons.join(' ; ')})` : 'aucune',
      `au moins ${plural(need, 'tâche')} en attente${c.pending.reason ? ` (« ${c.pending.reason} »)` : ''}`,
      withReason.length >= need,
    );
  }
  if (c.rescheduledFrom) {
    const from = nodes.find((n) => n.Description?.Hostname === c.rescheduledFrom);
    const ranThere = tasks.some((t) => t.NodeID === from?.ID && t.DesiredState !== 'running');
    const stillThere = running.some((t) => t.NodeID === from?.ID);
    const replaced = running.length >= desired;
    cmp.add(
      'replanification',
      !ranThere ? `aucune tâche arrêtée sur ${c.rescheduledFrom}` : stillThere ? `des tâches tournent encore sur ${c.rescheduledFrom}` : `${running.length}/${desired} tâches en cours ailleurs`,
      `les tâches de ${c.rescheduledFrom} relancées sur d’autres nœuds (${desired} en cours)`,
      ranThere && !stillThere && replaced,
    );
  }
  if (c.healthy !== undefined) {
    const states: string[] = [];
    for (const t of running) {
      const node = names.get(t.NodeID ?? '') ?? '?';
      const id = t.Status?.ContainerStatus?.ContainerID;
      let health = 'inconnu';
      if (id) {
        try {
          const info = await (await ctx.node(node)).getContainer(id).inspect();
          health = info.State.Health?.Status ?? 'sans contrôle de santé';
        } catch {
          health = 'injoignable';
        }
      }
      states.push(health);
    }
    const healthy = states.filter((s) => s === 'healthy').length;
    const ok = c.healthy ? running.length > 0 && healthy === running.length : states.some((s) => s === 'unhealthy');
    cmp.add('santé', states.length ? `${healthy}/${states.length} en bonne santé (${[...new Set(states)].join(', ')})` : 'aucune tâche en cours', c.healthy ? 'toutes les tâches en bonne santé (healthy)' : 'une tâche en mauvaise santé', ok);
  }
  return cmp.result(progress);
}
