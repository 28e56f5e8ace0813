import { describe, expect, it } from 'vitest';
import { checkOn } from './testing';

describe('stack checks (recorded states)', () => {
  it('a deployed stack and its services, named with or without the stack prefix', async () => {
    expect(await checkOn('deployed', { kind: 'stack', name: 'app', services: ['web'] })).toEqual({
      ok: true,
      observed: 'stack app : déployée ; services : app_web',
      expected: 'stack app : déployée ; services : app_web',
      progress: undefined,
    });
    expect(await checkOn('deployed', { kind: 'stack', name: 'app', services: ['app_web'] })).toMatchObject({ ok: true });
  });

  it('a service the stack lacks', async () => {
    expect(await checkOn('deployed', { kind: 'stack', name: 'app', services: ['web', 'db'] })).toMatchObject({
      ok: false,
      observed: 'services : app_web',
      expected: 'services : app_web, app_db',
    });
  });

  it('a stack that is not deployed, and « absent » both ways', async () => {
    expect(await checkOn('empty', { kind: 'stack', name: 'app' })).toMatchObject({ ok: false, observed: 'stack app : absente', expected: 'stack app : déployée' });
    expect(await checkOn('empty', { kind: 'stack', name: 'app', exists: false })).toMatchObject({ ok: true, observed: 'stack app : absente' });
    expect(await checkOn('deployed', { kind: 'stack', name: 'app', exists: false })).toMatchObject({
      ok: false,
      observed: 'stack app : déployée (app_web)',
      expected: 'stack app : absente',
    });
  });

  it('services created by hand do not make a stack', async () => {
    expect(await checkOn('deployed', { kind: 'stack', name: 'web' })).toMatchObject({ ok: false, observed: 'stack web : absente' });
  });
});
