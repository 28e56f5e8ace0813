import { describe, expect, it } from 'vitest';
import { Comparison, list, missing, plural } from './comparison';

describe('Comparison', () => {
  it('passes when every fact matches, and then shows all of them', () => {
    const r = new Comparison().add('mode', 'replicated', 'replicated').add('image', 'nginx:alpine', 'nginx:alpine').result('3/3 tâches en cours');
    expect(r).toEqual({
      ok: true,
      observed: 'mode : replicated ; image : nginx:alpine',
      expected: 'mode : replicated ; image : nginx:alpine',
      progress: '3/3 tâches en cours',
    });
  });

  it('on failure names only what differs', () => {
    const r = new Comparison().add('mode', 'replicated', 'replicated').add('réplicas demandés', '1 réplica', '3 réplicas').result();
    expect(r).toEqual({ ok: false, observed: 'réplicas demandés : 1 réplica', expected: 'réplicas demandés : 3 réplicas', progress: undefined });
  });

  it('takes an explicit verdict when equality of the texts is not the rule', () => {
    const r = new Comparison().add('nœuds distincts', '2 (worker1, worker2)', 'au moins 2', true).result();
    expect(r.ok).toBe(true);
    expect(new Comparison().add('x', 'a', 'a', false).ok).toBe(false);
  });

  it('with nothing to compare, passes with empty texts', () => {
    expect(new Comparison().result()).toEqual({ ok: true, observed: '', expected: '', progress: undefined });
  });
});

describe('French wording helpers', () => {
  it('missing says what was not found', () => {
    expect(missing('le service « web »', 'un service nommé « web »')).toEqual({ ok: false, observed: 'le service « web » introuvable', expected: 'un service nommé « web »' });
  });

  it('plural follows French: 0 and 1 are singular', () => {
    expect([plural(0, 'tâche'), plural(1, 'tâche'), plural(2, 'tâche'), plural(3, 'nœud')]).toEqual(['0 tâche', '1 tâche', '2 tâches', '3 nœuds']);
    expect(plural(2, 'réseau', 'réseaux')).toBe('2 réseaux');
  });

  it('list says « aucun » for nothing', () => {
    expect(list([])).toBe('aucun');
    expect(list(['a', 'b'])).toBe('a, b');
  });
});
