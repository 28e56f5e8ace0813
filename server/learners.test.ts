import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken, LearnerRegistry } from './learners';

describe('LearnerRegistry', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores only hashes, 0600 in a 0700 folder, and finds learners by token', async () => {
    dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'registry-')), 'data');
    const registry = await LearnerRegistry.open(dir);
    const { token, learner } = await registry.register('  Zoé\u0007  ');
    const local = await registry.fixed('local', 'instructor', 'Formateur');
    const text = readFileSync(path.join(dir, 'learners.json'), 'utf8');
    for (const secret of [token, local, registry.joinCode]) expect(text).not.toContain(secret);
    expect(text).toContain(hashToken(token));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'learners.json')).mode & 0o777).toBe(0o600);
    expect(registry.lookup(token)).toEqual(learner);
    expect(learner.name).toBe('Zoé');
    expect(registry.lookup(`${token}x`)).toBeUndefined();
    expect(registry.lookup(undefined)).toBeUndefined();
    expect(registry.checkJoinCode(registry.joinCode)).toBe(true);
    expect(registry.checkJoinCode('wrong')).toBe(false);
  });

  it('learners joining at once are all registered and all saved (one temporary file, written in turn)', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'registry-'));
    const registry = await LearnerRegistry.open(dir);
    const joined = await Promise.all(Array.from({ length: 12 }, (_, i) => registry.register(`Élève ${i + 1}`)));
    const again = await LearnerRegistry.open(dir);
    for (const { token, learner } of joined) expect(again.lookup(token)).toEqual(learner);
  });

  it('keeps the last local tokens valid across restarts, and draws a new join code each time', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'registry-'));
    const first = await LearnerRegistry.open(dir);
    const t1 = await first.fixed('local', 'instructor', 'Formateur');
    const code1 = first.joinCode;
    const second = await LearnerRegistry.open(dir);
    const t2 = await second.fixed('local', 'instructor', 'Formateur');
    expect(second.lookup(t1)?.id).toBe('local');
    expect(second.lookup(t2)?.id).toBe('local');
    expect(second.checkJoinCode(code1)).toBe(false);
    for (let i = 0; i < 4; i++) await second.fixed('local', 'instructor', 'Formateur');
    expect(second.lookup(t1)).toBeUndefined();
  });

  it('migrates a version-1 file (tokens in clear) without losing a learner, keeping ids', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'registry-'));
    const old = {
      joinCode: 'ancien-code',
      tokens: {
        'tok-alice-aaaaaaaaaaaaaaaaaaaa': { id: 'la1b2c3', name: 'Alice', role: 'learner', created: '2026-01-01T00:00:00.000Z' },
        'tok-local-bbbbbbbbbbbbbbbbbbbb': { id: 'local', name: 'Formateur', role: 'instructor', created: '2026-01-01T00:00:00.000Z' },
      },
    };
    writeFileSync(path.join(dir, 'learners.json'), JSON.stringify(old));
    writeFileSync(path.join(dir, 'progress-la1b2c3.json'), '{}');
    const registry = await LearnerRegistry.open(dir);
    expect(registry.lookup('tok-alice-aaaaaaaaaaaaaaaaaaaa')?.id).toBe('la1b2c3');
    expect(registry.lookup('tok-local-bbbbbbbbbbbbbbbbbbbb')?.role).toBe('instructor');
    expect(registry.list().map((l) => l.id).sort()).toEqual(['la1b2c3', 'local']);
    const text = readFileSync(path.join(dir, 'learners.json'), 'utf8');
    expect(text).not.toContain('tok-alice');
    expect(text).not.toContain('ancien-code');
  });

  it('revokes every session of a learner, keeping the learner', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'registry-'));
    const registry = await LearnerRegistry.open(dir);
    const { token, learner } = await registry.register('Bob');
    await registry.revoke(learner.id);
    expect(registry.lookup(token)).toBeUndefined();
    expect(registry.get(learner.id)?.name).toBe('Bob');
  });
});
