import { describe, expect, it } from 'vitest';
import { checkOn } from './testing';

describe('volume checks (recorded states)', () => {
  it('a local volume on the node that must have it, with its driver', async () => {
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', driver: 'local' })).toEqual({
      ok: true,
      observed: 'volume sur manager1 : existe ; pilote : local',
      expected: 'volume sur manager1 : existe ; pilote : local',
      progress: undefined,
    });
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', driver: 'nfs' })).toMatchObject({ ok: false, observed: 'pilote : local', expected: 'pilote : nfs' });
  });

  it('local volumes are per node: the one of worker1 is not on worker2', async () => {
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', node: 'worker1' })).toMatchObject({ ok: true });
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', node: 'worker2' })).toEqual({
      ok: false,
      observed: 'le volume « data » sur worker2 introuvable',
      expected: 'un volume « data » sur worker2',
    });
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', node: 'worker2', exists: false })).toMatchObject({ ok: true, observed: 'volume data sur worker2 : absent' });
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', exists: false })).toMatchObject({ ok: false, observed: 'volume data sur manager1 : existe', expected: 'volume data sur manager1 : absent' });
  });

  it('mounted by every running task of a service, at its target', async () => {
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', mountedBy: 'store', target: '/data' })).toEqual({
      ok: true,
      observed: 'montage : worker1 : data → /data',
      expected: 'montage : « data » monté sur /data dans chaque tâche de « store »',
      progress: undefined,
    });
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', mountedBy: 'store', target: '/srv' })).toMatchObject({ ok: false, observed: 'montage : worker1 : data' });
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', mountedBy: 'web' })).toMatchObject({
      ok: false,
      observed: 'montage : manager1 : aucun volume ; manager1 : aucun volume ; worker2 : aucun volume',
      expected: 'montage : « data » monté dans chaque tâche de « web »',
    });
  });

  it('no running task, or no such service', async () => {
    expect(await checkOn('failure', { kind: 'volume', name: 'data', mountedBy: 'store' })).toEqual({
      ok: false,
      observed: 'tâches : aucune tâche en cours',
      expected: 'tâches : une tâche de « store » qui monte « data »',
      progress: undefined,
    });
    expect(await checkOn('deployed', { kind: 'volume', name: 'data', mountedBy: 'nothing' })).toEqual({
      ok: false,
      observed: 'le service « nothing » introuvable',
      expected: 'un service « nothing » qui monte le volume « data »',
    });
  });
});
