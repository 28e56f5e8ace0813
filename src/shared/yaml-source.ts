/**
 * "YAML + zod → file:line:column", once: parse a YAML text with the `yaml` library, validate it
 * with a zod schema, and report the first problem at the node it concerns (the library's own
 * `doc.getIn(path, true)` gives the node and its range), as a SourceError.
 */
import { isMap, isNode, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { SourceError, type SourcePos } from './source.js';

export type YamlPath = (string | number)[];

/** What to say about a problem: the reason (after `file:line:column:`) and what to do. */
export interface Explanation {
  reason: string;
  hint?: string;
}

export interface YamlSourceOptions {
  /** Position in the file of an offset in the YAML text (front matter starts after its `---`). */
  locate(offset: number): SourcePos;
  /** Words for a syntax error (default: « YAML invalide : … »). */
  syntax?(message: string): Explanation;
  /** Words for a schema problem (default: « champ « a.b » : message ; valeurs possibles : … »). */
  issue?(issue: z.core.$ZodIssue, path: YamlPath): Explanation;
}

export interface YamlSource<T> {
  data: T;
  /** Where the value at `path` is written; its nearest written parent when it is absent. */
  pos(path: YamlPath): SourcePos;
  /** Where a key of the map at `path` is written (the key itself, not its value). */
  keyPos(path: YamlPath, key: string): SourcePos;
}

/** Parses `text`, validates it with `schema`; throws SourceError at the right place. */
export function parseYamlSource<S extends z.ZodType>(text: string, schema: S, options: YamlSourceOptions): YamlSource<z.output<S>> {
  const doc = parseDocument(text, { prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const words = options.syntax?.(firstLine(syntax.message)) ?? { reason: `YAML invalide : ${firstLine(syntax.message)}` };
    throw new SourceError(options.locate(syntax.pos[0]), words.reason, words.hint);
  }
  const pos = (path: YamlPath) => options.locate(nodeOffset(doc, path));
  const keyPos = (path: YamlPath, key: string) => options.locate(keyOffset(doc, path, key) ?? nodeOffset(doc, path));
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const where = key === undefined ? pos(path) : keyPos(path, key);
    const words = options.issue?.(issue, path) ?? describeIssue(issue, path);
    throw new SourceError(where, words.reason, words.hint);
  }
  return { data: parsed.data, pos, keyPos };
}

/** The default words for a schema problem, naming the field and the allowed values. */
export function describeIssue(issue: z.core.$ZodIssue, path: YamlPath): Explanation {
  const field = path.join('.') || '(racine)';
  if (issue.code === 'unrecognized_keys') return { reason: `champ inconnu « ${[...path, issue.keys[0]].join('.')} »` };
  const values = issue.code === 'invalid_value' ? issue.values.map(String) : undefined;
  return { reason: `champ « ${field} » : ${issue.message}${values?.length ? ` ; valeurs possibles : ${values.join(', ')}` : ''}` };
}

/**
 * Offset of the value at `path`, or of the deepest written node on the way to it. An empty
 * value (`key:` and nothing) points at its key, not at the start of the next line.
 */
function nodeOffset(doc: Document, path: YamlPath): number {
  for (let n = path.length; n >= 0; n--) {
    const head = path.slice(0, n);
    const node = n === 0 ? doc.contents : doc.getIn(head, true);
    if (!isNode(node) || !node.range) continue;
    if (n > 0 && isScalar(node) && node.value === null && !node.source) {
      const key = keyOffset(doc, head.slice(0, -1), head[n - 1]!);
      if (key !== undefined) return key;
    }
    return node.range[0];
  }
  return 0;
}

function keyOffset(doc: Document, path: YamlPath, key: string | number): number | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return isNode(pair?.key) ? pair.key.range?.[0] : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
