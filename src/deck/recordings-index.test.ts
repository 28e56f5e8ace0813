// The index of recorded solutions the build ships: a cast, and the cluster map recorded beside
// it when there is one (older recordings have none and stay listed).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listRecordings, recordingsIndex } from './slide-files';

let dir: string;
const header = (exercise: string) => JSON.stringify({ version: 2, width: 100, height: 24, 'x-docker-en-cluster': { lab: 'demo', exercise, recordedAt: '2026-12-02T00:00:00Z', generatedBy: 'course-ci', solutionHash: 'abc' } });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dec-recordings-'));
  await mkdir(path.join(dir, 'recordings/demo'), { recursive: true });
  await writeFile(path.join(dir, 'recordings/demo/old.cast'), `${header('old')}\n[0.1,"o","$ "]\n`);
  await writeFile(path.join(dir, 'recordings/demo/new.cast'), `${header('new')}\n[0.1,"o","$ "]\n`);
  await writeFile(path.join(dir, 'recordings/demo/new.map.json'), '{"version":1,"states":[]}\n');
  await writeFile(path.join(dir, 'recordings/demo/notes.txt'), 'pas un enregistrement');
});

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('recordings index', () => {
  it('ships casts and map states, and links a cast to its map when recorded', () => {
    expect(listRecordings(dir).sort()).toEqual(['recordings/demo/new.cast', 'recordings/demo/new.map.json', 'recordings/demo/old.cast']);
    const { recordings } = recordingsIndex(dir);
    expect(Object.keys(recordings).sort()).toEqual(['demo/new', 'demo/old']);
    expect(recordings['demo/new']).toMatchObject({ file: 'recordings/demo/new.cast', map: 'recordings/demo/new.map.json', solutionHash: 'abc' });
    expect(recordings['demo/old']!.map).toBeUndefined();
  });
});
