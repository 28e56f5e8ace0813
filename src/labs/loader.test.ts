import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../shared/source';
import { LabError, loadAllLabs, loadLab, parseLab } from './loader';

/** A small valid lab; `patch` replaces one line (1-based) to break it in a known place. */
const LINES = [
  'title: Un TP',
  'summary: Pour les tests.',
  'cluster:',
  '  managers: 1',
  '  workers: 1',
  'exercises:',
  '  - id: create',
  '    title: Créer',
  '    instructions: Créez le service.',
  '    conditions:',
  '      - kind: service',
  '        service: web',
  '        replicas: 2',
  '        message: Le service doit exister.',
  '    solution:',
  '      - run: docker service create --name web nginx:alpine',
];
const lab = (patch: Record<number, string> = {}, extra: string[] = []) =>
  [...LINES.map((l, i) => patch[i + 1] ?? l), ...extra].join('\n') + '\n';

function errorOf(text: string, id = 'demo'): SourceError {
  try {
    parseLab(id, 'labs/demo/lab.yaml', text);
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('the lab was accepted');
}

describe('parseLab', () => {
  it('accepts a valid lab and fills the defaults', () => {
    const parsed = parseLab('demo', 'labs/demo/lab.yaml', lab());
    expect(parsed).toMatchObject({ id: 'demo', file: 'labs/demo/lab.yaml', images: [], setup: [] });
    expect(parsed.cluster).toEqual({ managers: 1, workers: 1, swarm: 'ready' });
    expect(parsed.exercises[0]!.solution[0]).toEqual({ node: 'manager1', run: 'docker service create --name web nginx:alpine' });
    expect(parsed.exercises[0]!.conditions[0]).toMatchObject({ kind: 'service', exists: true, hints: [] });
  });

  it('accepts node actions (power and network) in instructions and solutions, and refuses an unknown one at its line', () => {
    const actions = ['      - node: worker1', '        action: isolate', '      - node: worker1', '        action: reconnect', '      - node: worker1', '        action: stop'];
    const parsed = parseLab('demo', 'labs/demo/lab.yaml', lab({}, actions));
    expect(parsed.exercises[0]!.solution.slice(1)).toEqual([
      { node: 'worker1', action: 'isolate' },
      { node: 'worker1', action: 'reconnect' },
      { node: 'worker1', action: 'stop' },
    ]);
    const e = errorOf(lab({}, ['      - node: worker1', '        action: unplug']));
    expect(e.line).toBe(LINES.length + 1);
  });

  it('reports a YAML syntax error at its line and column', () => {
    const e = errorOf(lab({ 8: '    title: [Créer' }));
    expect(e.message).toMatch(/^labs\/demo\/lab\.yaml:\d+:\d+: YAML invalide : /);
    expect(e.line).toBeGreaterThanOrEqual(8);
  });

  it('reports a value of the wrong type at the value, naming the field', () => {
    const e = errorOf(lab({ 13: '        replicas: deux' }));
    expect([e.line, e.column]).toEqual([13, 19]);
    expect(e.reason).toMatch(/^champ « exercises\.0\.conditions\.0\.replicas » : /);
  });

  it('lists the allowed values of an enum', () => {
    const e = errorOf(lab({ 13: '        mode: répliqué' }));
    expect([e.line, e.column]).toEqual([13, 15]);
    expect(e.reason).toContain('valeurs possibles : replicated, global');
  });

  it('reports an unknown key at the key itself', () => {
    const e = errorOf(lab({ 13: '        replica: 2' }));
    expect([e.line, e.column]).toEqual([13, 9]);
    expect(e.reason).toBe('champ inconnu « exercises.0.conditions.0.replica »');
  });

  it('reports a missing field at the nearest written parent', () => {
    const e = errorOf(lab({ 14: '        hints: []' }));
    expect([e.line, e.column]).toEqual([11, 9]);
    expect(e.reason).toMatch(/^champ « exercises\.0\.conditions\.0\.message » : /);
  });

  it('reports an empty value at its key, not at the next line', () => {
    const e = errorOf(lab({ 2: 'summary:' }));
    expect([e.line, e.column]).toEqual([2, 1]);
    expect(e.reason).toMatch(/^champ « summary » : /);
  });

  it('refuses a node the cluster does not have, where it is written', () => {
    const e = errorOf(lab({ 16: '      - { node: worker2, run: docker node ls }' }));
    expect(e.line).toBe(16);
    expect(e.reason).toBe('le nœud worker2 n’existe pas dans ce cluster (manager1, worker1)');
  });

  it('refuses two exercises with the same id, at the second one', () => {
    const e = errorOf(lab({}, LINES.slice(6)));
    expect([e.line, e.column]).toEqual([17, 9]);
    expect(e.reason).toBe('exercice « create » en double');
  });

  it('refuses a wrong solution that names a condition the exercise does not have', () => {
    const e = errorOf(lab({}, ['    wrong:', '      - name: trop peu', '        commands: [{ run: "true" }]', '        fails: [0, 3]']));
    expect(e.line).toBe(20);
    expect(e.reason).toBe('« wrong: trop peu » cite la condition 3, l’exercice n’en a que 1');
  });

  it('refuses a lab folder whose name is not an id', () => {
    const e = errorOf(lab(), 'Mon_TP');
    expect([e.line, e.column]).toEqual([1, 1]);
    expect(e.reason).toContain('identifiant de TP invalide « Mon_TP »');
  });

  it('throws the error class the server catches (LabError is the shared SourceError)', () => {
    expect(() => parseLab('demo', 'f.yaml', 'title: 1\n')).toThrow(LabError);
  });
});

describe('loadLab and loadAllLabs', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dec-loader-'));
  const labsDir = path.join(root, 'labs');
  await mkdir(path.join(labsDir, 'demo'), { recursive: true });
  await writeFile(path.join(labsDir, 'demo', 'lab.yaml'), lab());
  await writeFile(path.join(labsDir, 'README.md'), 'not a lab');
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('names the file relative to the repository', () => {
    expect(loadLab(labsDir, 'demo').file).toBe(path.join('labs', 'demo', 'lab.yaml'));
  });

  it('reads the file at each call but parses it again only when its text changed', async () => {
    const file = path.join(labsDir, 'demo', 'lab.yaml');
    const first = loadLab(labsDir, 'demo');
    expect(loadLab(labsDir, 'demo')).toBe(first);
    await writeFile(file, lab().replace(/^title: .*$/m, 'title: Titre modifié'));
    const edited = loadLab(labsDir, 'demo');
    expect(edited).not.toBe(first);
    expect(edited.title).toBe('Titre modifié');
    await writeFile(file, lab());
  });

  it('says which file it expected for an unknown lab', () => {
    expect(() => loadLab(labsDir, 'absent')).toThrow('labs/absent/lab.yaml:1:1: TP « absent » introuvable (attendu : labs/absent/lab.yaml)');
  });

  it('loads every folder of the labs directory, sorted, and ignores plain files', () => {
    expect(loadAllLabs(labsDir).map((l) => l.id)).toEqual(['demo']);
    expect(loadAllLabs(path.join(root, 'nowhere'))).toEqual([]);
  });

  it('loads every lab of the course without an error', () => {
    const course = loadAllLabs(path.resolve(import.meta.dirname, '../../labs'));
    expect(course.length).toBeGreaterThan(0);
    for (const l of course) expect(l.file).toBe(path.join('labs', l.id, 'lab.yaml'));
  });
});
