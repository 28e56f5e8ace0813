// The cockpit's grid model, pure: a learner's progress (server/labs/progress.ts) becomes cells
// (src/shared/room-protocol.ts), rows are filtered (« bloqués depuis plus de 5 min », by lab) and
// told in French. Used by the server (rows, CSV) and the cockpit page.
import type { LearnerState } from '../../server/labs/progress';
import type { Cell, CourseLab, LearnerRow } from './room-protocol';

export const STUCK_AFTER_MS = 5 * 60_000;

export const exerciseKey = (lab: string, exercise: string) => `${lab}/${exercise}`;

/** The cells of a learner: passed, failing (last check failed), active (working on it); not started ones are absent. */
export function cellsOf(state: LearnerState, course: CourseLab[]): Record<string, Cell> {
  const cells: Record<string, Cell> = {};
  for (const lab of course) {
    let activeGiven = false;
    for (const ex of lab.exercises) {
      const key = exerciseKey(lab.lab, ex.id);
      const p = state.exercises[key];
      if (p?.passedAt) {
        cells[key] = { s: 'passed', at: p.passedAt, attempts: p.attempts };
        continue;
      }
      const failing = p?.lastFailure && p.lastFailure.at === p.lastCheckAt;
      if (p && failing) {
        cells[key] = { s: 'failing', at: p.lastFailure!.at, attempts: p.attempts, msg: p.lastFailure!.message };
        activeGiven ||= state.currentLab === lab.lab;
        continue;
      }
      if (state.currentLab === lab.lab && !activeGiven) {
        activeGiven = true;
        cells[key] = { s: 'active', at: p?.lastCheckAt ?? null, attempts: p?.attempts ?? 0 };
      }
    }
  }
  return cells;
}

/** The learner's latest pass, ISO, or null. */
export function lastPassOf(state: LearnerState): string | null {
  let last: string | null = null;
  for (const p of Object.values(state.exercises)) if (p.passedAt && (!last || p.passedAt > last)) last = p.passedAt;
  return last;
}

/** The learner's latest check, ISO, or null. */
export function lastCheckOf(state: LearnerState): string | null {
  let last: string | null = null;
  for (const p of Object.values(state.exercises)) if (p.lastCheckAt && (!last || p.lastCheckAt > last)) last = p.lastCheckAt;
  return last;
}

/**
 * Stuck: working on something (a failing or active cell) with no pass for `afterMs` — counted
 * from their last pass, or from when their lab started, or from their first failure.
 */
export function isStuck(row: LearnerRow, now: number, afterMs = STUCK_AFTER_MS): boolean {
  const open = Object.values(row.cells).filter((c) => c.s !== 'passed');
  if (open.length === 0) return false;
  const marks = [row.lastPassAt, row.labSince].filter((t): t is string => t !== null);
  if (marks.length === 0) marks.push(...open.map((c) => c.at).filter((t): t is string => t !== null).sort().slice(0, 1));
  if (marks.length === 0) return false;
  const since = Math.max(...marks.map((t) => Date.parse(t)));
  return now - since > afterMs;
}

export interface GridFilter {
  stuckOnly: boolean;
  /** Only the rows of learners whose cluster holds this lab or who have a cell in it (null: all). */
  lab: string | null;
}

export function filterRows(rows: LearnerRow[], filter: GridFilter, now: number): LearnerRow[] {
  return rows
    .filter((r) => !filter.stuckOnly || isStuck(r, now))
    .filter((r) => !filter.lab || r.currentLab === filter.lab || Object.keys(r.cells).some((k) => k.startsWith(`${filter.lab}/`)))
    .sort((a, b) => a.name.localeCompare(b.name, 'fr') || a.id.localeCompare(b.id));
}

/** « à l’instant », « il y a 3 min », « il y a 2 h », « il y a 3 j ». */
export function ago(iso: string | null, now: number): string {
  if (!iso) return 'jamais';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 45) return 'à l’instant';
  const min = Math.round(s / 60);
  if (min < 60) return `il y a ${min}\u00a0min`;
  const h = Math.round(min / 60);
  if (h < 48) return `il y a ${h}\u00a0h`;
  return `il y a ${Math.round(h / 24)}\u00a0j`;
}

export const CELL_TEXT = { todo: 'pas commencé', active: 'en cours', passed: 'réussi', failing: 'en échec' } as const;

/** What a cell says in words (its tooltip and accessible name). */
export function describeCell(cell: Cell | undefined, now: number): string {
  if (!cell) return CELL_TEXT.todo;
  if (cell.s === 'passed') return `${CELL_TEXT.passed} ${ago(cell.at, now)}`;
  if (cell.s === 'active') return cell.attempts ? `${CELL_TEXT.active} (${cell.attempts} vérification${cell.attempts > 1 ? 's' : ''})` : CELL_TEXT.active;
  return `${CELL_TEXT.failing} ${ago(cell.at, now)}\u00a0: ${cell.msg ?? ''}`.trim();
}
