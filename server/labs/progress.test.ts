import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressStore } from './progress';

describe('ProgressStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dec-progress-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts empty for a learner it has never seen', async () => {
    expect(await new ProgressStore(dir).get('alice')).toEqual({ exercises: {} });
  });

  it('keeps progress across a reopen (a server restart)', async () => {
    const first = new ProgressStore(path.join(dir, 'progress'));
    await first.update('alice', (s) => {
      s.currentLab = 'stack';
      s.exercises['stack/deploy'] = { attempts: 2, passedAt: '2026-12-01T21:00:00.000Z' };
    });
    const reopened = new ProgressStore(path.join(dir, 'progress'));
    expect(await reopened.get('alice')).toEqual({ currentLab: 'stack', exercises: { 'stack/deploy': { attempts: 2, passedAt: '2026-12-01T21:00:00.000Z' } } });
    expect(await reopened.get('bob')).toEqual({ exercises: {} });
  });

  it('applies concurrent updates one after the other, none lost', async () => {
    const store = new ProgressStore(dir);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update('alice', (s) => {
          const p = (s.exercises[`lab/e${i % 3}`] ??= { attempts: 0 });
          p.attempts++;
        }),
      ),
    );
    const saved = await new ProgressStore(dir).get('alice');
    expect(Object.values(saved.exercises).reduce((n, p) => n + p.attempts, 0)).toBe(20);
    // Written atomically: no temporary file left behind.
    expect(await readdir(dir)).toEqual(['alice.json']);
  });

  it('keeps every learner in its own file inside the folder, whatever the id', async () => {
    const store = new ProgressStore(dir);
    await store.update('../../etc/passwd', (s) => {
      s.currentLab = 'x';
    });
    expect(await readdir(dir)).toEqual(['______etc_passwd.json']);
    expect(JSON.parse(await readFile(path.join(dir, '______etc_passwd.json'), 'utf8'))).toEqual({ currentLab: 'x', exercises: {} });
  });

  it('starts afresh from a damaged file, and repairs it on the next update', async () => {
    await writeFile(path.join(dir, 'alice.json'), '{ "exercises": ');
    const store = new ProgressStore(dir);
    expect(await store.get('alice')).toEqual({ exercises: {} });
    await store.update('alice', (s) => {
      s.currentLab = 'secrets';
    });
    expect(await new ProgressStore(dir).get('alice')).toEqual({ currentLab: 'secrets', exercises: {} });
  });

  it('reports a failed write, and a later write still happens', async () => {
    const blocked = path.join(dir, 'blocked');
    await writeFile(blocked, 'a file where the folder should be');
    const store = new ProgressStore(path.join(blocked, 'progress'));
    await expect(store.update('alice', (s) => void (s.currentLab = 'a'))).rejects.toThrow();
    await rm(blocked);
    await store.update('alice', (s) => void (s.currentLab = 'b'));
    expect(await new ProgressStore(path.join(blocked, 'progress')).get('alice')).toEqual({ currentLab: 'b', exercises: {} });
  });

  it('tells its listeners after a change is written (the cockpit), until they unsubscribe', async () => {
    const store = new ProgressStore(dir);
    const seen: string[] = [];
    const stop = store.onChange((learner, state) => seen.push(`${learner}:${state.currentLab}`));
    await store.update('alice', (s) => void (s.currentLab = 'a'));
    expect(JSON.parse(await readFile(path.join(dir, 'alice.json'), 'utf8')).currentLab).toBe('a');
    expect(seen).toEqual(['alice:a']);
    stop();
    await store.update('alice', (s) => void (s.currentLab = 'b'));
    expect(seen).toEqual(['alice:a']);
  });
});
