import { describe, expect, it } from 'vitest';
import { checkOn, edited, service } from './testing';

/** Every sub-field of the `web` service as it was created (scripts/record-docker-fixtures.ts). */
const WEB = {
  kind: 'service',
  service: 'web',
  mode: 'replicated',
  replicas: 3,
  image: 'nginx:alpine',
  networks: ['front'],
  env: { COLOR: 'blue', VERSION: '2' },
  preferences: ['node.labels.zone'],
  reservations: { memory: '16M' },
  limits: { memory: '64M', cpus: 0.5 },
  update: { parallelism: 2, delay: '2s', order: 'start-first', failureAction: 'rollback', monitor: '3s' },
  rollback: { parallelism: 1, order: 'stop-first' },
  healthcheck: { test: 'true', interval: '5s', retries: 2 },
  updateState: 'completed',
};

/** One failing sub-field: what the learner reads. */
async function differs(input: Record<string, unknown>): Promise<[string, string]> {
  const seen = await checkOn('deployed', { kind: 'service', service: 'web', ...input });
  expect(seen.ok).toBe(false);
  return [seen.observed, seen.expected];
}

describe('service checks (recorded states)', () => {
  it('the recorded service passes every sub-field at once', async () => {
    const seen = await checkOn('deployed', WEB);
    expect(seen.ok).toBe(true);
    expect(seen.progress).toBe('mise à jour terminée');
    expect(seen.observed).toBe(
      'mode : replicated ; réplicas demandés : 3 réplicas ; image : nginx:alpine ; réseaux : front ; variable COLOR : blue ; variable VERSION : 2 ; ' +
        'préférences de placement : spread=node.labels.zone ; réservation mémoire : 16M ; limite mémoire : 64M ; limite CPU : 0.5 ; ' +
        'mise à jour : parallélisme : 2 ; mise à jour : délai : 2s ; mise à jour : ordre : start-first ; mise à jour : action en cas d’échec : rollback ; mise à jour : surveillance : 3s ; ' +
        'retour arrière : parallélisme : 1 ; retour arrière : ordre : stop-first ; commande de santé : true ; intervalle de santé : 5s ; essais : 2 ; état de la mise à jour : mise à jour terminée',
    );
  });

  it('mode and replicas', async () => {
    expect(await differs({ mode: 'global' })).toEqual(['mode : replicated', 'mode : global']);
    expect(await differs({ replicas: 5 })).toEqual(['réplicas demandés : 3 réplicas', 'réplicas demandés : 5 réplicas']);
    expect(await checkOn('deployed', { kind: 'service', service: 'agent', mode: 'global', replicas: 3 })).toMatchObject({
      ok: false,
      observed: 'réplicas demandés : mode global',
      expected: 'réplicas demandés : 3 réplicas',
    });
  });

  it('image, compared on repository and tag', async () => {
    expect(await checkOn('deployed', { kind: 'service', service: 'web', image: 'docker.io/library/nginx:alpine' })).toMatchObject({ ok: true });
    expect(await differs({ image: 'redis:alpine' })).toEqual(['image : nginx:alpine', 'image : redis:alpine']);
  });

  it('published ports, host mode included', async () => {
    const edge = { kind: 'service', service: 'edge' };
    expect(await checkOn('deployed', { ...edge, ports: [{ published: 8080, target: 80, mode: 'host' }] })).toMatchObject({ ok: true, observed: 'ports publiés : 8080:80/tcp (host)' });
    expect(await checkOn('deployed', { ...edge, ports: [{ published: 9090, target: 80 }] })).toMatchObject({
      ok: false,
      observed: 'ports publiés : 8080:80/tcp (host)',
      expected: 'ports publiés : 9090:80/tcp',
    });
    expect(await differs({ ports: [{ published: 8080, target: 80 }] })).toEqual(['ports publiés : aucun', 'ports publiés : 8080:80/tcp']);
  });

  it('networks, by name', async () => {
    expect(await differs({ networks: ['front', 'back'] })).toEqual(['réseaux : front', 'réseaux : front, back']);
    expect(await checkOn('deployed', { kind: 'service', service: 'pinned', networks: ['front'] })).toMatchObject({ ok: false, observed: 'réseaux : aucun' });
  });

  it('environment variables, each on its own', async () => {
    expect(await differs({ env: { COLOR: 'red', DEBUG: '1' } })).toEqual(['variable COLOR : blue ; variable DEBUG : absente', 'variable COLOR : red ; variable DEBUG : 1']);
  });

  it('placement constraints (spaces ignored) and preferences', async () => {
    const pinned = { kind: 'service', service: 'pinned' };
    expect(await checkOn('deployed', { ...pinned, constraints: ['node.labels.disk == ssd'] })).toMatchObject({ ok: true, observed: 'contraintes : node.labels.disk==ssd' });
    expect(await checkOn('deployed', { ...pinned, constraints: ['node.role==manager'] })).toMatchObject({
      ok: false,
      observed: 'contraintes : node.labels.disk==ssd',
      expected: 'contraintes : node.role==manager',
    });
    expect(await differs({ constraints: ['node.role==worker'] })).toEqual(['contraintes : aucun', 'contraintes : node.role==worker']);
    expect(await differs({ preferences: ['node.labels.rack'] })).toEqual(['préférences de placement : spread=node.labels.zone', 'préférences de placement : spread=node.labels.rack']);
  });

  it('reservations and limits, in the units of the CLI', async () => {
    expect(await differs({ reservations: { memory: '32M', cpus: 0.25 } })).toEqual(['réservation mémoire : 16M ; réservation CPU : 0', 'réservation mémoire : 32M ; réservation CPU : 0.25']);
    expect(await differs({ limits: { memory: '1G', cpus: 1 } })).toEqual(['limite mémoire : 64M ; limite CPU : 0.5', 'limite mémoire : 1G ; limite CPU : 1']);
    expect(await checkOn('deployed', { kind: 'service', service: 'greedy', reservations: { memory: '512G' } })).toMatchObject({ ok: true, observed: 'réservation mémoire : 512G' });
  });

  it('update and rollback policies', async () => {
    expect(await differs({ update: { parallelism: 1, delay: '10s', order: 'stop-first', failureAction: 'pause', monitor: '1m' } })).toEqual([
      'mise à jour : parallélisme : 2 ; mise à jour : délai : 2s ; mise à jour : ordre : start-first ; mise à jour : action en cas d’échec : rollback ; mise à jour : surveillance : 3s',
      'mise à jour : parallélisme : 1 ; mise à jour : délai : 10s ; mise à jour : ordre : stop-first ; mise à jour : action en cas d’échec : pause ; mise à jour : surveillance : 60s',
    ]);
    expect(await differs({ rollback: { parallelism: 2, delay: '1s' } })).toEqual(['retour arrière : parallélisme : 1 ; retour arrière : délai : 0s', 'retour arrière : parallélisme : 2 ; retour arrière : délai : 1s']);
  });

  it('health check: command, interval and retries; none at all', async () => {
    expect(await differs({ healthcheck: { test: 'curl -f http://localhost/', interval: '10s', retries: 3 } })).toEqual([
      'commande de santé : true ; intervalle de santé : 5s ; essais : 2',
      'commande de santé : contient « curl -f http://localhost/ » ; intervalle de santé : 10s ; essais : 3',
    ]);
    expect(await checkOn('deployed', { kind: 'service', service: 'client', healthcheck: {} })).toMatchObject({ ok: false, observed: 'contrôle de santé : aucun', expected: 'contrôle de santé : un contrôle de santé (--health-cmd)' });
  });

  it('update state, in French', async () => {
    expect(await differs({ updateState: 'paused' })).toEqual(['état de la mise à jour : mise à jour terminée', 'état de la mise à jour : mise à jour en pause (échec)']);
    expect(await checkOn('deployed', { kind: 'service', service: 'pinned', updateState: 'completed' })).toMatchObject({
      ok: false,
      observed: 'état de la mise à jour : aucune mise à jour',
      progress: undefined,
    });
    const rolledBack = edited('deployed', (s) => {
      service(s, 'web').UpdateStatus = { State: 'rollback_completed' };
    });
    expect(await checkOn(rolledBack, { kind: 'service', service: 'web', updateState: 'rollback_completed' })).toMatchObject({ ok: true, progress: 'retour arrière terminé' });
  });

  it('existence, both ways', async () => {
    expect(await checkOn('deployed', { kind: 'service', service: 'nothing', exists: false })).toMatchObject({ ok: true, observed: 'service nothing : absent' });
    expect(await checkOn('deployed', { kind: 'service', service: 'web', exists: false })).toMatchObject({ ok: false, observed: 'service web : existe', expected: 'service web : absent' });
    expect(await checkOn('empty', { kind: 'service', service: 'web', replicas: 3 })).toEqual({ ok: false, observed: 'le service « web » introuvable', expected: 'un service nommé « web »' });
  });

  it('an exact name: the API’s prefix filter does not confuse app_web with web', async () => {
    expect(await checkOn('deployed', { kind: 'service', service: 'app' })).toMatchObject({ ok: false, observed: 'le service « app » introuvable' });
  });
});
