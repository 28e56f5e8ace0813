// The room's results as CSV for a spreadsheet (GET /api/room/results.csv): one line per learner,
// one column per exercise of the course. RFC 4180 quoting, a UTF-8 BOM (Excel reads UTF-8 only
// with it), `;`-free so that any locale's import splits on commas, and no cell a spreadsheet
// would run as a formula (OWASP « CSV injection »: = + - @ tab CR at the start get a quote).
import { exerciseKey } from '../../src/shared/room-grid';
import type { CourseLab, LearnerRow } from '../../src/shared/room-protocol';

export const BOM = '\uFEFF';

/** One field: quoted when it holds a comma, quote or line break; defused when it starts like a formula. */
export function csvField(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: (string | number | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

const STATE = { passed: 'réussi', failing: 'en échec', active: 'en cours' } as const;

/** The whole file: header, then each learner (cells say « réussi », « en échec », « en cours » or nothing). */
export function resultsCsv(course: CourseLab[], rows: LearnerRow[]): string {
  const exercises = course.flatMap((lab) => lab.exercises.map((e) => ({ key: exerciseKey(lab.lab, e.id), label: `${lab.lab}/${e.id}` })));
  let out = BOM + csvLine(['identifiant', 'nom', 'exercices réussis', 'dernière activité', ...exercises.map((e) => e.label)]);
  for (const row of rows) {
    const passed = exercises.filter((e) => row.cells[e.key]?.s === 'passed').length;
    out += csvLine([row.id, row.name, passed, row.lastActivity, ...exercises.map((e) => {
      const cell = row.cells[e.key];
      return cell ? STATE[cell.s] : '';
    })]);
  }
  return out;
}
