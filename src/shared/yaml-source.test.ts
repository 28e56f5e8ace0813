import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LineMap, SourceError } from './source';
import { parseYamlSource } from './yaml-source';

const schema = z.object({ name: z.string(), tags: z.array(z.string()).optional(), nested: z.object({ n: z.number() }).strict().optional() }).strict();

function fails(text: string, options: Partial<Parameters<typeof parseYamlSource>[2]> = {}): SourceError {
  const lines = new LineMap('f.yaml', text);
  try {
    parseYamlSource(text, schema, { locate: (o) => lines.pos(o), ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('accepted');
}

describe('parseYamlSource', () => {
  it('returns the data and the positions of values and keys', () => {
    const text = 'name: a\ntags:\n  - x\n  - y\n';
    const lines = new LineMap('f.yaml', text);
    const src = parseYamlSource(text, schema, { locate: (o) => lines.pos(o) });
    expect(src.data).toEqual({ name: 'a', tags: ['x', 'y'] });
    expect(src.pos(['tags', 1])).toEqual({ file: 'f.yaml', line: 4, column: 5 });
    expect(src.keyPos([], 'tags')).toEqual({ file: 'f.yaml', line: 2, column: 1 });
    // Absent: the nearest written parent.
    expect(src.pos(['tags', 5])).toEqual({ file: 'f.yaml', line: 3, column: 3 });
  });

  it('places an issue inside a sequence at its item', () => {
    const e = fails('name: a\ntags:\n  - x\n  - 3\n');
    expect(e.message).toMatch(/^f\.yaml:4:5: champ « tags\.1 » : /);
  });

  it('places an unknown nested key at the key', () => {
    const e = fails('name: a\nnested:\n  n: 1\n  m: 2\n');
    expect(e.message).toBe('f.yaml:4:3: champ inconnu « nested.m »');
  });

  it('maps offsets through `locate` (a block that starts inside a larger file)', () => {
    const file = '---\nname: 3\n---\nbody';
    const lines = new LineMap('deck.md', file);
    const yaml = 'name: 3\n';
    expect(() => parseYamlSource(yaml, schema, { locate: (o) => lines.pos(4 + o) })).toThrow(/^deck\.md:2:7: champ « name » : /);
  });

  it('uses the caller’s words for syntax errors and issues', () => {
    const syntax = fails('name: [a\n', { syntax: (m) => ({ reason: `mauvais YAML (${m.length > 0})`, hint: 'fermez le crochet' }) });
    expect(syntax.reason).toBe('mauvais YAML (true)');
    expect(syntax.hint).toBe('fermez le crochet');
    const issue = fails('tags: []\n', { issue: (i, p) => ({ reason: `${i.code} à ${p.join('.') || 'la racine'}` }) });
    expect(issue.reason).toBe('invalid_type à name');
  });

  it('treats an empty document as an empty map', () => {
    expect(fails('').reason).toMatch(/^champ « name » : /);
  });
});
