import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { Lab, type LabDefinition } from './schema';

export interface LoadedLab extends LabDefinition {
  id: string;
  /** The lab file, relative to the repository (for messages). */
  file: string;
}

/** A lab file that does not parse or does not fit the schema: file:line:column and what to fix. */
export class LabError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'LabError';
  }
}

const LAB_ID = /^[a-z0-9][a-z0-9-]*$/;

/** Parses and validates one lab file's text. */
export function parseLab(id: string, file: string, text: string): LoadedLab {
  if (!LAB_ID.test(id)) throw new LabError(file, 1, 1, `identifiant de TP invalide « ${id} » : le dossier doit s’appeler en minuscules, chiffres et tirets`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number) => lines.linePos(offset);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = at(e.pos[0]);
    throw new LabError(file, pos.line, pos.col, `YAML invalide : ${e.message.split('\n')[0]}`);
  }
  const result = Lab.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = nodeAt(doc.contents as YamlNode | null, issue.path as (string | number)[]);
    const pos = at(where?.range?.[0] ?? 0);
    const field = issue.path.join('.') || '(racine)';
    const options = (issue as { options?: unknown[] }).options;
    const detail = Array.isArray(options) ? `${issue.message} ; valeurs possibles : ${options.join(', ')}` : issue.message;
    throw new LabError(file, pos.line, pos.col, `champ « ${field} » : ${detail}`);
  }
  const lab = result.data;
  const ids = new Set<string>();
  lab.exercises.forEach((exercise, i) => {
    const where = nodeAt(doc.contents as YamlNode | null, ['exercises', i, 'id']);
    const pos = at(where?.range?.[0] ?? 0);
    if (ids.has(exercise.id)) throw new LabError(file, pos.line, pos.col, `exercice « ${exercise.id} » en double`);
    ids.add(exercise.id);
    for (const wrong of exercise.wrong) {
      for (const index of wrong.fails) {
        if (index >= exercise.conditions.length) {
          throw new LabError(file, pos.line, pos.col, `« wrong: ${wrong.name} » cite la condition ${index}, l’exercice n’en a que ${exercise.conditions.length}`);
        }
      }
    }
  });
  const nodes = new Set([
    ...Array.from({ length: lab.cluster.managers }, (_, i) => `manager${i + 1}`),
    ...Array.from({ length: lab.cluster.workers }, (_, i) => `worker${i + 1}`),
  ]);
  const checkNode = (node: string | undefined, p: (string | number)[]) => {
    if (node && !nodes.has(node)) {
      const pos = at(nodeAt(doc.contents as YamlNode | null, p)?.range?.[0] ?? 0);
      throw new LabError(file, pos.line, pos.col, `le nœud ${node} n’existe pas dans ce cluster (${[...nodes].join(', ')})`);
    }
  };
  lab.setup.forEach((c, i) => checkNode(c.node, ['setup', i, 'node']));
  lab.exercises.forEach((e, i) => {
    for (const key of ['commands', 'solution', 'cleanup'] as const) e[key].forEach((c, j) => checkNode(c.node, ['exercises', i, key, j, 'node']));
    e.conditions.forEach((c, j) => checkNode('node' in c ? c.node : undefined, ['exercises', i, 'conditions', j, 'node']));
  });
  return { ...lab, id, file };
}

/** The deepest YAML node along a path (the parent when the key itself is missing). */
function nodeAt(root: YamlNode | null, p: (string | number)[]): YamlNode | undefined {
  let node: YamlNode | null | undefined = root;
  let found: YamlNode | undefined = root ?? undefined;
  for (const key of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === key);
      node = pair?.value as YamlNode | null | undefined;
      if (!node) return (pair?.key as YamlNode | undefined) ?? found;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as YamlNode | undefined;
      if (!node) return found;
    } else return found;
    found = node ?? found;
  }
  return found;
}

export function labFile(labsDir: string, id: string): string {
  return path.join(labsDir, id, 'lab.yaml');
}

export function loadLab(labsDir: string, id: string, repoRoot = path.dirname(labsDir)): LoadedLab {
  const file = labFile(labsDir, id);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LabError(path.relative(repoRoot, file), 1, 1, `TP « ${id} » introuvable (attendu : ${path.relative(repoRoot, file)})`);
  }
  return parseLab(id, path.relative(repoRoot, file), text);
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
