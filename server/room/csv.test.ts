import { describe, expect, it } from 'vitest';
import type { CourseLab, LearnerRow } from '../../src/shared/room-protocol';
import { BOM, csvField, resultsCsv } from './csv';

/** A minimal RFC 4180 reader: the file must come back field by field. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return rows;
}

describe('results CSV', () => {
  it('quotes commas, quotes and line breaks; defuses formulas (= + - @ tab)', () => {
    expect(csvField('Alice')).toBe('Alice');
    expect(csvField('Dupont, Jean')).toBe('"Dupont, Jean"');
    expect(csvField('Le "chef"')).toBe('"Le ""chef"""');
    expect(csvField('deux\nlignes')).toBe('"deux\nlignes"');
    for (const evil of ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1']) expect(csvField(evil).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField(3)).toBe('3');
    expect(csvField(-3)).toBe('-3'); // numbers are ours, never a learner's text
    expect(csvField(null)).toBe('');
  });

  it('a BOM, a header of exercises in course order, one line per learner', () => {
    const course: CourseLab[] = [{ lab: 'a', title: 'A', optional: false, exercises: [{ id: 'x', title: 'X' }, { id: 'y', title: 'Y' }] }];
    const base = { pages: 0, slide: null, currentLab: null, labSince: null, lastPassAt: null, health: null };
    const rows: LearnerRow[] = [
      { ...base, id: 'l1', name: '=cmd|"/c calc"!A1', lastActivity: '2026-12-02T10:00:00.000Z', cells: { 'a/x': { s: 'passed', at: 't', attempts: 1 }, 'a/y': { s: 'failing', at: 't', attempts: 2, msg: 'm' } } },
      { ...base, id: 'l2', name: 'Zoé, « la pro »', lastActivity: null, cells: {} },
    ];
    const csv = resultsCsv(course, rows);
    expect(csv.startsWith(BOM)).toBe(true);
    expect(parse(csv.slice(1))).toEqual([
      ['identifiant', 'nom', 'exercices réussis', 'dernière activité', 'a/x', 'a/y'],
      ['l1', `'=cmd|"/c calc"!A1`, '1', '2026-12-02T10:00:00.000Z', 'réussi', 'en échec'],
      ['l2', 'Zoé, « la pro »', '0', '', '', ''],
    ]);
  });
});
