import { describe, expect, it } from 'vitest';
import { fixtureContext, loadSnapshot } from './fixture-context';
import type { Service, Task } from './swarm-objects';
import { NoManagerError } from './types';

describe('fixtureContext: the recorded API answers like the engine', async () => {
  const deployed = loadSnapshot('deployed');
  const ctx = fixtureContext(deployed);
  const manager = await ctx.manager();

  it('finds the manager the way the live context does', async () => {
    expect(((await manager.info()) as { Name?: string }).Name).toBe('manager1');
    await expect(fixtureContext(loadSnapshot('bare')).manager()).rejects.toBeInstanceOf(NoManagerError);
  });

  it('filters services by name prefix and by label, like the engine', async () => {
    const byName = (await manager.listServices({ filters: { name: ['app_'] } })) as Service[];
    expect(byName.map((s) => s.Spec.Name)).toEqual(['app_web']);
    const byLabel = (await manager.listServices({ filters: { label: ['com.docker.stack.namespace=app'] } })) as Service[];
    expect(byLabel.map((s) => s.Spec.Name)).toEqual(['app_web']);
    expect(await manager.listServices({ filters: { label: ['com.docker.stack.namespace=other'] } })).toEqual([]);
  });

  it('filters tasks by service name or id', async () => {
    const web = ((await manager.listServices({ filters: { name: ['web'] } })) as Service[]).find((s) => s.Spec.Name === 'web')!;
    const byId = (await manager.listTasks({ filters: { service: [web.ID] } })) as Task[];
    const byName = (await manager.listTasks({ filters: { service: ['web'] } })) as Task[];
    expect(byId.length).toBeGreaterThanOrEqual(3);
    expect(byName).toEqual(byId);
    expect(byId.every((t) => t.ServiceID === web.ID)).toBe(true);
  });

  it('refuses what it cannot replay faithfully instead of guessing', async () => {
    await expect(manager.listTasks({ filters: { node: ['worker1'] } })).rejects.toThrow('listTasks : filtre non rejoué par les fixtures (node)');
    await expect(ctx.exec('manager1', ['uptime'])).rejects.toThrow('commande non enregistrée sur manager1 : ["uptime"]');
    await expect(ctx.node('worker9')).rejects.toThrow('nœud inconnu « worker9 »');
    await expect(manager.getContainer('0123456789ab').inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers the swarm API on managers only', async () => {
    const worker = await ctx.node('worker1');
    await expect(worker.listServices()).rejects.toThrow('This node is not a swarm manager.');
    expect((await worker.listVolumes()).Volumes?.map((v) => v.Name)).toContain('data');
  });

  it('never lets a check change the recording', async () => {
    const services = (await manager.listServices()) as Service[];
    services[0]!.Spec.Name = 'changed';
    expect(((await manager.listServices()) as Service[]).some((s) => s.Spec.Name === 'changed')).toBe(false);
  });

  it('says a powered-off node is unreachable', async () => {
    const failure = fixtureContext(loadSnapshot('failure'));
    await expect(failure.node('worker2')).rejects.toThrow();
  });
});
