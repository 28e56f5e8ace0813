import type { Condition } from '../../src/labs/schema';
import { Comparison, missing } from './comparison';
import { execInTask, findService, type FileRef } from './swarm-objects';
import type { CheckContext, Observation } from './types';

type FileCondition = Extract<Condition, { kind: 'secret' | 'config' }>;

/** Secrets and configs: the object, its attachment to a service, and reading it inside a task. */
export async function checkFile(c: FileCondition, ctx: CheckContext): Promise<Observation> {
  const manager = await ctx.manager();
  const isSecret = c.kind === 'secret';
  const noun = isSecret ? 'secret' : 'config';
  const objects = (isSecret ? await manager.listSecrets() : await manager.listConfigs()) as unknown as { ID: string; Spec?: { Name?: string } }[];
  const object = objects.find((o) => o.Spec?.Name === c.name);
  if (!c.exists) return new Comparison().add(`${noun} ${c.name}`, object ? 'existe' : 'absent', 'absent').result();
  if (!object) return missing(`le ${noun} « ${c.name} »`, `un ${noun} nommé « ${c.name} »`);
  const cmp = new Comparison();
  if (!c.service) return cmp.add(noun, `« ${c.name} » existe`, `« ${c.name} » existe`).result();
  const service = await findService(manager, c.service);
  if (!service) return missing(`le service « ${c.service} »`, `un service « ${c.service} » qui monte le ${noun} « ${c.name} »`);
  const container = service.Spec.TaskTemplate?.ContainerSpec ?? {};
  const refs: FileRef[] = (isSecret ? container.Secrets : container.Configs) ?? [];
  const ref = refs.find((r) => (isSecret ? r.SecretID : r.ConfigID) === object.ID || (isSecret ? r.SecretName : r.ConfigName) === c.name);
  if (!ref) {
    return cmp.add('montage', `le service « ${c.service} » ne monte pas « ${c.name} »`, `« ${c.name} » monté dans « ${c.service} » (--${noun} …)`, false).result();
  }
  const file = ref.File ?? {};
  const target = fullTarget(isSecret, file.Name ?? c.name);
  cmp.add('montage', `monté dans « ${c.service} »`, `monté dans « ${c.service} »`);
  if (c.target) cmp.add('cible', target, fullTarget(isSecret, c.target));
  if (c.uid) cmp.add('uid', file.UID ?? '0', c.uid);
  if (c.gid) cmp.add('gid', file.GID ?? '0', c.gid);
  if (c.mode) cmp.add('mode', `0${(file.Mode ?? 0o444).toString(8)}`, `0${parseInt(c.mode, 8).toString(8)}`);
  if (c.readable || c.content !== undefined) {
    const read = await execInTask(ctx, c.service, ['cat', target]);
    if ('error' in read) cmp.add('lecture dans une tâche', read.error, `${target} lisible dans une tâche`, false);
    else if (read.code !== 0) cmp.add('lecture dans une tâche', `cat ${target} échoue sur ${read.node} : ${read.output.trim()}`, `${target} lisible`, false);
    else {
      cmp.add('lecture dans une tâche', `lisible sur ${read.node}`, `${target} lisible`, true);
      if (c.content !== undefined) cmp.add('contenu', JSON.stringify(read.output.replace(/\n$/, '')), JSON.stringify(c.content.replace(/\n$/, '')));
    }
  }
  return cmp.result();
}

/** Secret targets are relative to /run/secrets unless absolute; config targets default to /<name>. */
function fullTarget(isSecret: boolean, name: string): string {
  if (name.startsWith('/')) return name;
  return isSecret ? `/run/secrets/${name}` : `/${name}`;
}
