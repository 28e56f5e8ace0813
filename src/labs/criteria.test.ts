import { describe, expect, it } from 'vitest';
import { Condition } from './schema';
import { describeCondition, enumerate, frenchBytes, frenchDuration, of, plural } from './criteria';

const NBSP = '\u00a0';
const text = (raw: unknown) => describeCondition(Condition.parse({ message: 'm', ...(raw as object) })).replaceAll(NBSP, ' ');

describe('criteria lines in French', () => {
  it('writes sizes, durations and plurals in French', () => {
    expect(frenchBytes('512G')).toBe(`512${NBSP}Gio`);
    expect(frenchBytes('64M')).toBe(`64${NBSP}Mio`);
    expect(frenchDuration('1m30s')).toBe(`1${NBSP}min 30${NBSP}s`);
    expect(plural(1, 'manager')).toBe(`1${NBSP}manager`);
    expect(plural(0, 'tâche')).toBe(`0${NBSP}tâche`);
    expect(plural(2, 'réplica')).toBe(`2${NBSP}réplicas`);
    expect(enumerate(['a', 'b', 'c'])).toBe('a, b et c');
    expect(of('web')).toBe('de web');
    expect(of('agent')).toBe('d’agent');
  });

  it('shows no raw JSON, no « (s) », no English state', () => {
    const lines = [
      text({ kind: 'service', service: 'web', reservations: { memory: '512G' }, limits: { memory: '128M', cpus: 0.5 } }),
      text({ kind: 'swarm', managers: 1, workers: 2, nodes: 3 }),
      text({ kind: 'node', node: 'worker1', state: 'ready', availability: 'drain' }),
      text({ kind: 'service', service: 'web', replicas: 3, update: { parallelism: 1, delay: '5s', failureAction: 'rollback' } }),
    ];
    expect(lines[0]).toBe('le service web · réservation de mémoire : 512 Gio · limite de mémoire : 128 Mio · limite de processeur : 0,5 CPU');
    expect(lines[1]).toBe('un swarm actif · 3 nœuds · 1 manager · 2 workers');
    expect(lines[2]).toBe('le nœud worker1 · disponibilité : vidé (drain) · état : prêt (Ready)');
    expect(lines[3]).toContain('3 réplicas demandés');
    expect(lines[3]).toContain('retour arrière automatique');
    for (const l of lines) expect(l).not.toMatch(/[{}"]|\(s\)|\bready\b/);
  });

  it('describes the quorum of a swarm and the reachability of a manager', () => {
    expect(text({ kind: 'swarm', quorum: false })).toBe('un swarm actif · quorum perdu : aucun leader, plus aucune commande de gestion');
    expect(text({ kind: 'swarm', quorum: true, managers: 3 })).toBe('un swarm actif · 3 managers · un leader élu (quorum atteint)');
    expect(text({ kind: 'node', node: 'manager3', reachable: true })).toBe('le nœud manager3 · joignable par les autres managers (Reachable)');
  });

  it('describes behavioural checks', () => {
    expect(text({ kind: 'service', service: 'db', eligible: ['worker1', 'worker2'] })).toBe('le service db · le placement admet exactement worker1 et worker2');
    expect(text({ kind: 'service', service: 'web', endpointMode: 'dnsrr' })).toBe('le service web · accès par DNS round-robin (dnsrr)');
    expect(text({ kind: 'service', service: 'web', healthcheck: { interval: '5s', retries: 3, failsAfter: 'rm index.html' } })).toBe(
      'le service web · un contrôle de santé (toutes les 5 s, malade après 3 échecs) · qui réussit sur un conteneur neuf et échoue après « rm index.html »',
    );
    expect(text({ kind: 'tasks', service: 'web', running: 9, perNode: { worker2: 3 } })).toBe('les tâches de web · 9 tâches en cours · exactement 3 tâches sur worker2');
  });
});
