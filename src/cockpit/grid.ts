// The grid of the cockpit: learners × exercises of the course, in a table (row headers are the
// learners' names, buttons that open their detail). Everything a learner wrote (their name) goes
// in through textContent only.
import { el } from '../shared/dom';
import { ago, CELL_TEXT, describeCell, exerciseKey, filterRows, isStuck, type GridFilter } from '../shared/room-grid';
import type { CourseLab, LearnerRow } from '../shared/room-protocol';
import { C } from './text';

const SYMBOL = { passed: '✔', failing: '✘', active: '…' } as const;

export interface GridModel {
  course: CourseLab[];
  rows: Map<string, LearnerRow>;
}

/** Renders the table into `host` (replacing it); `open` is called with a learner's id. */
export function renderGrid(host: HTMLElement, model: GridModel, filter: GridFilter, now: number, open: (id: string) => void): { shown: number; total: number } {
  const all = [...model.rows.values()];
  const rows = filterRows(all, filter, now);
  const labs = filter.lab ? model.course.filter((l) => l.lab === filter.lab) : model.course;
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.learner;
  host.replaceChildren();
  if (rows.length === 0) {
    host.append(el('p', 'cockpit-empty', all.length === 0 ? C.none : C.noneFiltered));
    return { shown: 0, total: all.length };
  }
  const table = el('table', 'cockpit-grid');
  const caption = el('caption', 'cockpit-visually-hidden', `${C.title} : ${C.learners(rows.length, all.length)}`);
  const head = el('thead');
  const groups = el('tr');
  const exercises = el('tr');
  const fixed = [C.name, C.health, C.activity, C.slide];
  for (const label of fixed) {
    const th = el('th', 'cockpit-fixed', label);
    th.scope = 'col';
    th.rowSpan = 2;
    groups.append(th);
  }
  for (const lab of labs) {
    const th = el('th', 'cockpit-lab', lab.lab);
    th.scope = 'colgroup';
    th.colSpan = lab.exercises.length;
    th.title = lab.title;
    groups.append(th);
    lab.exercises.forEach((ex, i) => {
      const cell = el('th', 'cockpit-ex', String(i + 1));
      cell.scope = 'col';
      cell.title = `${lab.title} — ${ex.title}`;
      cell.setAttribute('aria-label', `${lab.lab} ${i + 1} : ${ex.title}`);
      exercises.append(cell);
    });
  }
  head.append(groups, exercises);
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    tr.dataset.learner = row.id;
    const stuck = isStuck(row, now);
    if (stuck) tr.classList.add('cockpit-stuck');
    const th = el('th');
    th.scope = 'row';
    const name = el('button', 'cockpit-name', row.name);
    name.type = 'button';
    name.dataset.learner = row.id;
    name.addEventListener('click', () => open(row.id));
    th.append(name);
    if (stuck) th.append(' ', el('span', 'cockpit-badge', C.stuck));
    if (row.pages === 0) th.append(' ', el('span', 'cockpit-offline', C.offline));
    const health = el('td', 'cockpit-health', row.health ? C.healthText(row.health.up, row.health.nodes, row.health.memoryMB, row.health.frozen) : C.noCluster);
    if (row.health && row.health.up < row.health.nodes) health.classList.add('cockpit-degraded');
    tr.append(th, health, el('td', 'cockpit-activity', ago(row.lastActivity, now)), el('td', 'cockpit-slide', row.slide ?? '—'));
    for (const lab of labs) {
      for (const ex of lab.exercises) {
        const cell = row.cells[exerciseKey(lab.lab, ex.id)];
        const td = el('td', 'cockpit-cell');
        td.dataset.state = cell?.s ?? 'todo';
        td.dataset.exercise = exerciseKey(lab.lab, ex.id);
        const text = describeCell(cell, now);
        td.title = `${ex.title} : ${text}`;
        td.append(el('span', '', cell ? SYMBOL[cell.s] : ''), el('span', 'cockpit-visually-hidden', cell ? text : CELL_TEXT.todo));
        tr.append(td);
      }
    }
    body.append(tr);
  }
  table.append(caption, head, body);
  host.append(table);
  if (focused) host.querySelector<HTMLElement>(`button[data-learner="${CSS.escape(focused)}"]`)?.focus();
  return { shown: rows.length, total: all.length };
}
