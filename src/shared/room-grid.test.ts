import { describe, expect, it } from 'vitest';
import type { LearnerState } from '../../server/labs/progress';
import { frame, LIVE_MAX_FRAME_BYTES } from './live-protocol';
import { ago, cellsOf, describeCell, filterRows, isStuck, lastPassOf, STUCK_AFTER_MS } from './room-grid';
import { roomMessage, roomTopic, type CourseLab, type LearnerRow } from './room-protocol';

const course: CourseLab[] = [
  { lab: 'swarm-init', title: 'Init', optional: false, exercises: [{ id: 'init', title: 'Init' }, { id: 'join', title: 'Join' }] },
  { lab: 'services', title: 'Services', optional: false, exercises: [{ id: 'create', title: 'Créer' }, { id: 'scale', title: 'Échelle' }, { id: 'drain', title: 'Drain' }] },
];
const T0 = Date.parse('2026-12-02T10:00:00Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function row(state: LearnerState, extra: Partial<LearnerRow> = {}): LearnerRow {
  return {
    id: 'l1', name: 'Alice', pages: 1, lastActivity: null, slide: null,
    currentLab: state.currentLab ?? null, labSince: state.currentLabSince ?? null, lastPassAt: lastPassOf(state), health: null,
    cells: cellsOf(state, course), ...extra,
  };
}

describe('cellsOf', () => {
  it('passed, failing (last check failed), active (first open exercise of the current lab), not started absent', () => {
    const state: LearnerState = {
      currentLab: 'services',
      exercises: {
        'swarm-init/init': { attempts: 2, passedAt: iso(1), lastCheckAt: iso(1) },
        'swarm-init/join': { attempts: 1, lastCheckAt: iso(2), lastFailure: { at: iso(2), message: 'deux workers attendus' } },
        'services/create': { attempts: 1, passedAt: iso(3), lastCheckAt: iso(3) },
      },
    };
    expect(cellsOf(state, course)).toEqual({
      'swarm-init/init': { s: 'passed', at: iso(1), attempts: 2 },
      'swarm-init/join': { s: 'failing', at: iso(2), attempts: 1, msg: 'deux workers attendus' },
      'services/create': { s: 'passed', at: iso(3), attempts: 1 },
      'services/scale': { s: 'active', at: null, attempts: 0 },
    });
  });

  it('a failure followed by a check that is not a failure (older files: no lastFailure) is not failing; a pass wins over an old failure', () => {
    const state: LearnerState = {
      exercises: {
        'services/create': { attempts: 3, lastCheckAt: iso(5), lastFailure: { at: iso(4), message: 'x' } },
        'services/scale': { attempts: 2, passedAt: iso(6), lastCheckAt: iso(6), lastFailure: { at: iso(5), message: 'y' } },
        // A progress file of the previous version: no lastFailure, no currentLabSince.
        'services/drain': { attempts: 1, lastCheckAt: iso(1) },
      },
    };
    expect(cellsOf(state, course)).toEqual({ 'services/scale': { s: 'passed', at: iso(6), attempts: 2 } });
  });

  it('a failing exercise of the current lab is its active one: no second active cell', () => {
    const state: LearnerState = { currentLab: 'services', exercises: { 'services/create': { attempts: 1, lastCheckAt: iso(1), lastFailure: { at: iso(1), message: 'm' } } } };
    expect(Object.values(cellsOf(state, course)).map((c) => c.s)).toEqual(['failing']);
  });
});

describe('isStuck and filterRows', () => {
  it('stuck: working with no pass for more than 5 minutes, counted from the last pass or the lab start', () => {
    const working: LearnerState = { currentLab: 'services', currentLabSince: iso(0), exercises: {} };
    expect(isStuck(row(working), T0 + STUCK_AFTER_MS - 1000)).toBe(false);
    expect(isStuck(row(working), T0 + STUCK_AFTER_MS + 1000)).toBe(true);
    const passedLately: LearnerState = { ...working, exercises: { 'services/create': { attempts: 1, passedAt: iso(4), lastCheckAt: iso(4) } } };
    expect(isStuck(row(passedLately), T0 + 6 * 60_000)).toBe(false);
    // Everything passed, or nothing started: never stuck.
    expect(isStuck(row({ exercises: {} }), T0 + 3600_000)).toBe(false);
    // No lab start known (an older file): from the first failure.
    const old: LearnerState = { exercises: { 'services/create': { attempts: 1, lastCheckAt: iso(0), lastFailure: { at: iso(0), message: 'm' } } } };
    expect(isStuck(row(old), T0 + 6 * 60_000)).toBe(true);
  });

  it('filters by stuck and by lab, sorted by name (French collation)', () => {
    const now = T0 + 10 * 60_000;
    const rows = [
      row({ currentLab: 'services', currentLabSince: iso(0), exercises: {} }, { id: 'a', name: 'Émile' }),
      row({ currentLab: 'swarm-init', currentLabSince: iso(9), exercises: {} }, { id: 'b', name: 'Zoé' }),
      row({ exercises: {} }, { id: 'c', name: 'Bob' }),
    ];
    expect(filterRows(rows, { stuckOnly: false, lab: null }, now).map((r) => r.name)).toEqual(['Bob', 'Émile', 'Zoé']);
    expect(filterRows(rows, { stuckOnly: true, lab: null }, now).map((r) => r.id)).toEqual(['a']);
    expect(filterRows(rows, { stuckOnly: false, lab: 'swarm-init' }, now).map((r) => r.id)).toEqual(['b']);
  });
});

describe('words', () => {
  it('says how long ago and what a cell means, in French', () => {
    expect(ago(null, T0)).toBe('jamais');
    expect(ago(iso(0), T0 + 10_000)).toBe('à l’instant');
    expect(ago(iso(0), T0 + 3 * 60_000)).toBe('il y a 3\u00a0min');
    expect(ago(iso(0), T0 + 5 * 3600_000)).toBe('il y a 5\u00a0h');
    expect(describeCell(undefined, T0)).toBe('pas commencé');
    expect(describeCell({ s: 'failing', at: iso(0), attempts: 2, msg: 'trois réplicas attendus' }, T0 + 120_000)).toBe('en échec il y a 2\u00a0min\u00a0: trois réplicas attendus');
  });
});

describe('the room topic at the size of a real room', () => {
  it('40 learners × 60 exercises, every cell failing with a long message: each frame stays under the live channel’s limit', () => {
    const big: CourseLab[] = Array.from({ length: 20 }, (_, l) => ({
      lab: `lab-${l}`, title: `TP ${l}`, optional: false, exercises: Array.from({ length: 3 }, (_, e) => ({ id: `exercice-${e}`, title: `Exercice ${e} du TP ${l}` })),
    }));
    const message = `Le service « web » doit avoir trois tâches en cours (observé : 2/3 tâches en cours, une en attente sur worker2)`.padEnd(300, '.');
    const frames: string[] = [frame(roomTopic, { kind: 'course', course: big, learners: Array.from({ length: 40 }, (_, i) => `l${String(i).padStart(6, '0')}`) })];
    for (let i = 0; i < 40; i++) {
      const exercises: LearnerState['exercises'] = {};
      for (const lab of big) for (const ex of lab.exercises) exercises[`${lab.lab}/${ex.id}`] = { attempts: 12, lastCheckAt: iso(i), lastFailure: { at: iso(i), message } };
      const r = row({ currentLab: 'lab-3', currentLabSince: iso(0), exercises }, { id: `l${i}`, name: `Apprenant numéro ${i}`, health: { nodes: 3, up: 3, memoryMB: 160, at: iso(i) } });
      r.cells = cellsOf({ exercises }, big);
      expect(Object.keys(r.cells)).toHaveLength(60);
      frames.push(frame(roomTopic, { kind: 'learner', row: r }));
    }
    const sizes = frames.map((f) => Buffer.byteLength(f));
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`room snapshot, 40 learners × 60 exercises, worst case: ${frames.length} frames, ${Math.round(total / 1024)} KiB in all, largest ${Math.round(Math.max(...sizes) / 1024)} KiB`);
    expect(Math.max(...sizes)).toBeLessThan(LIVE_MAX_FRAME_BYTES);
    // A typical afternoon: two thirds passed, one exercise failing, one in progress.
    const typical = Array.from({ length: 40 }, (_, i) => {
      const exercises: LearnerState['exercises'] = {};
      big.flatMap((lab) => lab.exercises.map((ex) => `${lab.lab}/${ex.id}`)).forEach((key, n) => {
        if (n < 40) exercises[key] = { attempts: 2, passedAt: iso(n), lastCheckAt: iso(n) };
        else if (n === 40) exercises[key] = { attempts: 3, lastCheckAt: iso(n), lastFailure: { at: iso(n), message: message.slice(0, 120) } };
      });
      const r = row({ currentLab: 'lab-13', currentLabSince: iso(0), exercises }, { id: `l${i}`, name: `Apprenant ${i}` });
      r.cells = cellsOf({ currentLab: 'lab-13', exercises }, big);
      return Buffer.byteLength(frame(roomTopic, { kind: 'learner', row: r }));
    });
    console.log(`room snapshot, typical (40 passed, 1 failing, 1 active of 60): a row ${Math.round(typical[0]! / 102.4) / 10} KiB, ${Math.round((Buffer.byteLength(frames[0]!) + typical.reduce((a, b) => a + b, 0)) / 1024)} KiB in all`);
    // What the browser receives parses with the topic's own schema.
    expect(roomMessage.safeParse(JSON.parse(frames[1]!).data).success).toBe(true);
  });
});
