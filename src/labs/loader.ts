import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineMap, SourceError } from '../shared/source';
import { parseYamlSource, type YamlPath } from '../shared/yaml-source';
import { Lab, shapeNodeNames, type LabDefinition } from './schema';

export interface LoadedLab extends LabDefinition {
  id: string;
  /** The lab file, relative to the repository (for messages). */
  file: string;
}

/**
 * A lab file that does not parse or does not fit the schema: file:line:column and what to fix.
 * The shared authoring error (src/shared/source.ts), under the name the server catches.
 */
export const LabError = SourceError;
export type LabError = SourceError;

const LAB_ID = /^[a-z0-9][a-z0-9-]*$/;

/** Parses and validates one lab file's text. */
export function parseLab(id: string, file: string, text: string): LoadedLab {
  const lines = new LineMap(file, text);
  if (!LAB_ID.test(id)) throw new SourceError(lines.pos(0), `identifiant de TP invalide « ${id} » : le dossier doit s’appeler en minuscules, chiffres et tirets`);
  const source = parseYamlSource(text, Lab, { locate: (offset) => lines.pos(offset) });
  const fail = (p: YamlPath, reason: string): never => {
    throw new SourceError(source.pos(p), reason);
  };
  const lab = source.data;
  const ids = new Set<string>();
  lab.exercises.forEach((exercise, i) => {
    if (ids.has(exercise.id)) fail(['exercises', i, 'id'], `exercice « ${exercise.id} » en double`);
    ids.add(exercise.id);
    exercise.wrong.forEach((wrong, w) => {
      wrong.fails.forEach((index, f) => {
        if (index >= exercise.conditions.length) {
          fail(['exercises', i, 'wrong', w, 'fails', f], `« wrong: ${wrong.name} » cite la condition ${index}, l’exercice n’en a que ${exercise.conditions.length}`);
        }
      });
    });
  });
  const nodes = new Set(shapeNodeNames(lab.cluster));
  const checkNode = (node: string | undefined, p: YamlPath) => {
    if (node && !nodes.has(node)) fail(p, `le nœud ${node} n’existe pas dans ce cluster (${[...nodes].join(', ')})`);
  };
  lab.setup.forEach((c, i) => checkNode(c.node, ['setup', i, 'node']));
  lab.exercises.forEach((e, i) => {
    for (const key of ['commands', 'solution', 'cleanup'] as const) e[key].forEach((c, j) => checkNode(c.node, ['exercises', i, key, j, 'node']));
    e.conditions.forEach((c, j) => checkNode('node' in c ? c.node : undefined, ['exercises', i, 'conditions', j, 'node']));
  });
  return { ...lab, id, file };
}

export function labFile(labsDir: string, id: string): string {
  return path.join(labsDir, id, 'lab.yaml');
}

/** A lab's file as read from disk: its path relative to the repository, and its text. */
function readLabSource(labsDir: string, id: string, repoRoot = path.dirname(labsDir)): { file: string; text: string } {
  const file = labFile(labsDir, id);
  try {
    return { file: path.relative(repoRoot, file), text: readFileSync(file, 'utf8') };
  } catch {
    throw new SourceError({ file: path.relative(repoRoot, file), line: 1, column: 1 }, `TP « ${id} » introuvable (attendu : ${path.relative(repoRoot, file)})`);
  }
}

/** Parsed labs by file, kept while the file's text is the same (one entry per lab file). */
const parsed = new Map<string, { text: string; lab: LoadedLab }>();

/**
 * The lab as its file says now. The file is read at each call (an edit counts at once), parsed
 * only when its text changed: the server reads labs on hot paths (every automatic check).
 */
export function loadLab(labsDir: string, id: string, repoRoot = path.dirname(labsDir)): LoadedLab {
  const { file, text } = readLabSource(labsDir, id, repoRoot);
  const key = `${file}\0${id}`;
  const kept = parsed.get(key);
  if (kept?.text === text) return kept.lab;
  const lab = parseLab(id, file, text);
  parsed.set(key, { text, lab });
  return lab;
}

/** Every lab of the course, sorted by id. */
export function loadAllLabs(labsDir: string, repoRoot = path.dirname(labsDir)): LoadedLab[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(labsDir).sort();
  } catch {
    return [];
  }
  return entries
    .filter((id) => statSync(path.join(labsDir, id)).isDirectory())
    .map((id) => loadLab(labsDir, id, repoRoot));
}
