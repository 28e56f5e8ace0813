import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDisplayName, NAME_MAX } from './display-name';

describe('checkDisplayName', () => {
  it('trims and collapses spaces, keeps accents and emoji', () => {
    expect(checkDisplayName('  Chloé   Dupont ')).toEqual({ ok: true, name: 'Chloé Dupont' });
    expect(checkDisplayName('Zoë 🐳')).toEqual({ ok: true, name: 'Zoë 🐳' });
  });

  it('refuses empty, too long and non-string names with a French message', () => {
    expect(checkDisplayName('   ')).toEqual({ ok: false, error: 'indiquez votre nom (affiché au formateur)' });
    expect(checkDisplayName(undefined)).toMatchObject({ ok: false });
    const long = checkDisplayName('a'.repeat(NAME_MAX + 1));
    expect(long).toEqual({ ok: false, error: `votre nom est trop long : ${NAME_MAX} caractères au plus (il en a ${NAME_MAX + 1})` });
    // Characters, not UTF-16 units: 40 emoji fit.
    expect(checkDisplayName('🐳'.repeat(NAME_MAX))).toMatchObject({ ok: true });
  });

  it('refuses control and invisible format characters rather than silently removing them', () => {
    for (const bad of ['Al\u0000ice', 'Bob\n', 'Eve\u202Etxt', 'Zero\u200Bwidth', 'Tab\there', 'Esc\u001b[31m']) {
      const result = checkDisplayName(bad);
      expect(result.ok, JSON.stringify(bad)).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/caractère invisible ou de contrôle/);
    }
  });

  it('whatever it accepts is trimmed, bounded and free of control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const r = checkDisplayName(s);
        if (!r.ok) return;
        expect(r.name).toBe(r.name.trim());
        expect([...r.name].length).toBeLessThanOrEqual(NAME_MAX);
        expect(r.name).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      }),
    );
  });
});
