import type { Condition } from '../../src/labs/schema';
import { Comparison, missing } from './comparison';
import { findService, hostnames, isRunning, listNodes, tasksOf } from './swarm-objects';
import type { CheckContext, Observation } from './types';

type VolumeCondition = Extract<Condition, { kind: 'volume' }>;

/** Local volumes live on one node's engine: the check asks the node where they should be. */
export async function checkVolume(c: VolumeCondition, ctx: CheckContext): Promise<Observation> {
  const cmp = new Comparison();
  if (c.mountedBy) {
    const manager = await ctx.manager();
    const service = await findService(manager, c.mountedBy);
    if (!service) return missing(`le service « ${c.mountedBy} »`, `un service « ${c.mountedBy} » qui monte le volume « ${c.name} »`);
    const running = (await tasksOf(manager, service)).filter(isRunning);
    if (running.length === 0) return cmp.add('tâches', 'aucune tâche en cours', `une tâche de « ${c.mountedBy} » qui monte « ${c.name} »`, false).result();
    const names = hostnames(await listNodes(manager));
    const seen: string[] = [];
    let mounted = 0;
    for (const task of running) {
      const node = names.get(task.NodeID ?? '') ?? '?';
      const id = task.Status?.ContainerStatus?.ContainerID;
      if (!id) continue;
      const info = await (await ctx.node(node)).getContainer(id).inspect();
      const mount = info.Mounts.find((m) => m.Name === c.name && (!c.target || m.Destination === c.target));
      seen.push(`${node} : ${mount ? `${mount.Name} → ${mount.Destination}` : info.Mounts.map((m) => m.Name ?? m.Source).join(', ') || 'aucun volume'}`);
      if (mount) mounted++;
    }
    return cmp.add('montage', seen.join(' ; '), `« ${c.name} » monté${c.target ? ` sur ${c.target}` : ''} dans chaque tâche de « ${c.mountedBy} »`, mounted === running.length).result();
  }
  const engine = await ctx.node(c.node);
  const volumes = (await engine.listVolumes()).Volumes ?? [];
  const volume = volumes.find((v) => v.Name === c.name);
  if (!c.exists) return cmp.add(`volume ${c.name} sur ${c.node}`, volume ? 'existe' : 'absent', 'absent').result();
  if (!volume) return missing(`le volume « ${c.name} » sur ${c.node}`, `un volume « ${c.name} » sur ${c.node}`);
  cmp.add(`volume sur ${c.node}`, 'existe', 'existe');
  if (c.driver) cmp.add('pilote', volume.Driver, c.driver);
  return cmp.result();
}
