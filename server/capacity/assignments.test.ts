import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Assignments } from './assignments';

describe('assignments of pre-warmed clusters', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'dec-assign-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('resolves a learner to the cluster handed over, and back; itself otherwise', () => {
    const a = new Assignments(dataDir());
    expect(a.resolve('l1')).toBe('l1');
    a.assign('l1', 'pool-ab12');
    expect(a.resolve('l1')).toBe('pool-ab12');
    expect(a.owner('pool-ab12')).toBe('l1');
    expect(a.owner('pool-cd34')).toBe('pool-cd34');
  });

  it('survives a restart (a new instance reads the file), in a 0600 file; forgetting is kept too', () => {
    const dir = dataDir();
    new Assignments(dir).assign('l1', 'pool-ab12');
    const file = path.join(dir, 'capacity', 'assignments.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ l1: 'pool-ab12' });
    const again = new Assignments(dir);
    expect(again.resolve('l1')).toBe('pool-ab12');
    again.forget('l1');
    expect(new Assignments(dir).resolve('l1')).toBe('l1');
  });

  it('ignores a damaged file rather than failing the server', () => {
    const dir = dataDir();
    new Assignments(dir).assign('l1', 'pool-ab12');
    writeFileSync(path.join(dir, 'capacity', 'assignments.json'), '{not json');
    expect(new Assignments(dir).resolve('l1')).toBe('l1');
  });
});
