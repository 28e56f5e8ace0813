import { describe, expect, it } from 'vitest';
import { checkOn } from './testing';

describe('network checks (recorded states)', () => {
  it('an attachable overlay network, the services on it, and tasks.<service> resolved from a task', async () => {
    const seen = await checkOn('deployed', { kind: 'network', name: 'front', driver: 'overlay', attachable: true, services: ['web', 'client'], resolves: { from: 'client', name: 'tasks.web', count: 3 } });
    expect(seen.ok).toBe(true);
    expect(seen.observed).toMatch(
      /^pilote : overlay ; attachable : oui ; service web : réseaux : front ; service client : réseaux : front ; résolution de tasks\.web depuis client : 3 adresses : 10(\.\d+){3}, 10(\.\d+){3}, 10(\.\d+){3}$/,
    );
    expect(seen.expected).toBe('pilote : overlay ; attachable : oui ; service web : relié à front ; service client : relié à front ; résolution de tasks.web depuis client : 3 adresses');
  });

  it('the wrong number of addresses', async () => {
    const seen = await checkOn('deployed', { kind: 'network', name: 'front', resolves: { from: 'client', name: 'tasks.web', count: 2 } });
    expect(seen.ok).toBe(false);
    expect(seen.expected).toBe('résolution de tasks.web depuis client : 2 adresses');
  });

  it('driver, attachable, and a service that is not on the network', async () => {
    expect(await checkOn('deployed', { kind: 'network', name: 'app_back', driver: 'bridge', attachable: true, services: ['pinned', 'nothing'] })).toMatchObject({
      ok: false,
      observed: 'pilote : overlay ; attachable : non ; service pinned : réseaux : aucun ; service nothing : absent',
      expected: 'pilote : bridge ; attachable : oui ; service pinned : relié à app_back ; service nothing : relié à app_back',
    });
  });

  it('resolving from a service that does not exist', async () => {
    expect(await checkOn('deployed', { kind: 'network', name: 'front', resolves: { from: 'nothing', name: 'tasks.web' } })).toMatchObject({
      ok: false,
      observed: 'résolution de tasks.web : le service « nothing » n’existe pas',
      expected: 'résolution de tasks.web : tasks.web résolu depuis « nothing »',
    });
  });

  it('existence, both ways', async () => {
    expect(await checkOn('empty', { kind: 'network', name: 'front' })).toEqual({ ok: false, observed: 'le réseau « front » introuvable', expected: 'un réseau nommé « front »' });
    expect(await checkOn('empty', { kind: 'network', name: 'front', exists: false })).toMatchObject({ ok: true, observed: 'réseau front : absent' });
    expect(await checkOn('deployed', { kind: 'network', name: 'front', exists: false })).toMatchObject({ ok: false, observed: 'réseau front : existe', expected: 'réseau front : absent' });
  });
});
