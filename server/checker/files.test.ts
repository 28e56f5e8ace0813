import { describe, expect, it } from 'vitest';
import type { Task } from './swarm-objects';
import { checkOn, edited, service } from './testing';

const SECRET = { kind: 'secret', name: 'db_password', service: 'web' };

describe('secret checks (recorded states)', () => {
  it('attached with target, uid, gid and mode, and read for real inside a task', async () => {
    expect(await checkOn('deployed', { ...SECRET, target: '/run/secrets/db_password', uid: '100', gid: '101', mode: '0440', readable: true, content: 's3cr3t' })).toEqual({
      ok: true,
      observed: 'montage : monté dans « web » ; cible : /run/secrets/db_password ; uid : 100 ; gid : 101 ; mode : 0440 ; lecture dans une tâche : lisible sur manager1 ; contenu : "s3cr3t"',
      expected: 'montage : monté dans « web » ; cible : /run/secrets/db_password ; uid : 100 ; gid : 101 ; mode : 0440 ; lecture dans une tâche : /run/secrets/db_password lisible ; contenu : "s3cr3t"',
      progress: undefined,
    });
  });

  it('a relative target is under /run/secrets; each attribute that differs is named', async () => {
    expect(await checkOn('deployed', { ...SECRET, target: 'password', uid: '0', gid: '0', mode: '400' })).toMatchObject({
      ok: false,
      observed: 'cible : /run/secrets/db_password ; uid : 100 ; gid : 101 ; mode : 0440',
      expected: 'cible : /run/secrets/password ; uid : 0 ; gid : 0 ; mode : 0400',
    });
    expect(await checkOn('deployed', { ...SECRET, content: 'autre chose' })).toMatchObject({ ok: false, observed: 'contenu : "s3cr3t"', expected: 'contenu : "autre chose"' });
  });

  it('a secret the task cannot read (mode 0400, another user)', async () => {
    expect(await checkOn('deployed', { kind: 'secret', name: 'db_password', service: 'locked', readable: true })).toEqual({
      ok: false,
      observed: "lecture dans une tâche : cat /run/secrets/locked échoue sur manager1 : cat: can't open '/run/secrets/locked': Permission denied",
      expected: 'lecture dans une tâche : /run/secrets/locked lisible',
      progress: undefined,
    });
  });

  it('no running task to read it in', async () => {
    const stopped = edited('deployed', (s) => {
      const web = service(s, 'web');
      for (const t of s.swarm!.tasks as Task[]) if (t.ServiceID === web.ID) t.DesiredState = 'shutdown';
    });
    expect(await checkOn(stopped, { ...SECRET, readable: true })).toMatchObject({
      ok: false,
      observed: 'lecture dans une tâche : aucune tâche de « web » n’est en cours d’exécution',
      expected: 'lecture dans une tâche : /run/secrets/db_password lisible dans une tâche',
    });
  });

  it('not attached to the service, or the service missing', async () => {
    expect(await checkOn('deployed', { kind: 'secret', name: 'db_password', service: 'pinned' })).toMatchObject({
      ok: false,
      observed: 'montage : le service « pinned » ne monte pas « db_password »',
      expected: 'montage : « db_password » monté dans « pinned » (--secret …)',
    });
    expect(await checkOn('deployed', { kind: 'secret', name: 'db_password', service: 'nothing' })).toEqual({
      ok: false,
      observed: 'le service « nothing » introuvable',
      expected: 'un service « nothing » qui monte le secret « db_password »',
    });
  });

  it('existence, both ways', async () => {
    expect(await checkOn('deployed', { kind: 'secret', name: 'db_password' })).toMatchObject({ ok: true, observed: 'secret : « db_password » existe' });
    expect(await checkOn('empty', { kind: 'secret', name: 'db_password' })).toEqual({ ok: false, observed: 'le secret « db_password » introuvable', expected: 'un secret nommé « db_password »' });
    expect(await checkOn('empty', { kind: 'secret', name: 'db_password', exists: false })).toMatchObject({ ok: true, observed: 'secret db_password : absent' });
    expect(await checkOn('deployed', { kind: 'secret', name: 'db_password', exists: false })).toMatchObject({ ok: false, observed: 'secret db_password : existe', expected: 'secret db_password : absent' });
  });
});

describe('config checks (recorded states)', () => {
  const CONFIG = { kind: 'config', name: 'site_conf', service: 'web' };

  it('attached at an absolute target with its mode, content read inside a task', async () => {
    expect(await checkOn('deployed', { ...CONFIG, target: '/etc/nginx/conf.d/site.conf', mode: '0444', content: 'server { listen 80; }' })).toMatchObject({
      ok: true,
      observed: 'montage : monté dans « web » ; cible : /etc/nginx/conf.d/site.conf ; mode : 0444 ; lecture dans une tâche : lisible sur manager1 ; contenu : "server { listen 80; }"',
    });
  });

  it('a relative config target is under /, and other differences', async () => {
    expect(await checkOn('deployed', { ...CONFIG, target: 'site.conf', mode: '0440', uid: '101' })).toMatchObject({
      ok: false,
      observed: 'cible : /etc/nginx/conf.d/site.conf ; uid : 0 ; mode : 0444',
      expected: 'cible : /site.conf ; uid : 101 ; mode : 0440',
    });
  });

  it('a config that does not exist, or is not mounted', async () => {
    expect(await checkOn('deployed', { kind: 'config', name: 'other' })).toMatchObject({ ok: false, observed: 'le config « other » introuvable', expected: 'un config nommé « other »' });
    expect(await checkOn('deployed', { kind: 'config', name: 'site_conf', service: 'client' })).toMatchObject({
      ok: false,
      observed: 'montage : le service « client » ne monte pas « site_conf »',
      expected: 'montage : « site_conf » monté dans « client » (--config …)',
    });
  });
});
