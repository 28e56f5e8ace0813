// The course's timing holds together: each chapter announces the sum of its slides' timings
// (the « Durée : … » of the speaker notes, lab slides included), the « Déroulé indicatif » of the
// welcome chapter adds the chapters up to a day of about 6 h, and every lab comes after the
// slides that teach what its commands use.
import { parseHTML } from 'linkedom';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/config';
import { loadAllLabs } from '../src/labs/loader';
import { labRenderer } from '../src/labs/markup';
import { renderCourse } from '../src/render/index';

const deck = renderCourse(path.join(REPO_ROOT, 'slides/index.md'), { lab: labRenderer(path.join(REPO_ROOT, 'labs')) });
const { document } = parseHTML(`<!doctype html><html><body><div class="slides">${deck.html}</div></body></html>`);
const labs = loadAllLabs(path.join(REPO_ROOT, 'labs'));
const clean = (t: string | null | undefined) => (t ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** « 1 h 30 », « 45 min », « 30 s », « 1 h 15 min » → minutes. */
function minutes(text: string): number {
  const m = /^(?:(\d+) h ?(?:(\d+)(?: min)?)?|(\d+) min|(\d+) s)$/.exec(clean(text));
  if (!m) throw new Error(`durée illisible « ${text} » (exemples : 2 min, 30 s, 1 h 15)`);
  if (m[1] !== undefined) return Number(m[1]) * 60 + Number(m[2] ?? 0);
  if (m[3] !== undefined) return Number(m[3]);
  return Number(m[4]) / 60;
}

const DURATION = String.raw`(\d+(?: h(?: \d+)?)?(?: min| s)?)`;
const SLIDE_TIMING = new RegExp(String.raw`(?<!chapitre )Durée : ${DURATION}`);
const CHAPTER_TIMING = new RegExp(String.raw`Durée du chapitre : ${DURATION}`);

interface Slide {
  id: string;
  title: string;
  lab?: string;
  minutes: number | undefined;
  notes: string;
}

interface Chapter {
  id: string;
  announced: number | undefined;
  slides: Slide[];
}

const chapters: Chapter[] = [...document.querySelectorAll('.slides > section')]
  .map((section) => {
    const inner = [...section.querySelectorAll(':scope > section')];
    const slides = (inner.length ? inner : [section]).map((s): Slide => {
      const notes = clean(s.querySelector('aside.notes')?.textContent);
      const timing = SLIDE_TIMING.exec(notes)?.[1];
      return {
        id: s.getAttribute('id') ?? '',
        title: clean(s.querySelector('h1, h2, h3')?.textContent),
        lab: s.getAttribute('data-lab') ?? undefined,
        minutes: timing === undefined ? undefined : minutes(timing),
        notes,
      };
    });
    const announced = CHAPTER_TIMING.exec(slides[0]?.notes ?? '')?.[1];
    return { id: slides[0]?.id ?? '', announced: announced === undefined ? undefined : minutes(announced), slides };
  })
  .filter((c) => c.id !== '');

const total = (c: Chapter) => c.slides.reduce((n, s) => n + (s.minutes ?? 0), 0);
const format = (m: number) => (m >= 60 ? `${Math.floor(m / 60)} h ${String(Math.round(m % 60)).padStart(2, '0')}` : `${m} min`);

describe('the course plan', () => {
  it('parses the durations the notes use', () => {
    expect(minutes('2 min')).toBe(2);
    expect(minutes('30 s')).toBe(0.5);
    expect(minutes('1 h 30')).toBe(90);
    expect(minutes('1 h 15 min')).toBe(75);
    expect(minutes('1 h')).toBe(60);
    expect(() => minutes('bientôt')).toThrow(/durée illisible/);
  });

  it('gives every chapter after the welcome an announced duration equal to the sum of its slides', () => {
    const timed = chapters.filter((c) => c.id !== 'accueil');
    expect(timed.length).toBeGreaterThanOrEqual(9);
    for (const c of timed) {
      const detail = c.slides.map((s) => `${s.lab ? `TP ${s.lab}` : s.title || s.id || '(sans titre)'} ${s.minutes ?? '-'}`).join(', ');
      expect(c.announced, `chapter « ${c.id} » announces no « Durée du chapitre »`).toBeDefined();
      expect(total(c), `chapter « ${c.id} »: announced ${c.announced} min, its slides add up to ${total(c)} min (${detail})`).toBe(c.announced);
    }
  });

  it('times every lab slide and every titled slide of the chapters', () => {
    for (const c of chapters) {
      for (const s of c.slides) {
        if (s.lab) expect(s.minutes, `lab slide ${s.lab} in « ${c.id} » has no « Durée : » in its notes`).toBeGreaterThan(0);
        else if (s.title && s.notes && !/^Merci/.test(s.title)) expect(s.minutes, `slide « ${s.title} » in « ${c.id} » has no « Durée : »`).toBeDefined();
      }
    }
  });

  it('has a « Déroulé indicatif » of about 6 h whose sequences add the chapters up, each chapter once', () => {
    const slide = [...document.querySelectorAll('section')].find((s) => /Déroulé indicatif/.test(s.querySelector('h2, h3')?.textContent ?? ''));
    expect(slide, 'a slide titled « Déroulé indicatif »').toBeTruthy();
    const rows = [...slide!.querySelectorAll('tbody tr')];
    const seen: string[] = [];
    let sum = 0;
    for (const row of rows) {
      const cells = [...row.querySelectorAll('td')];
      const links = [...(cells[0]?.querySelectorAll('a[href^="#/"]') ?? [])].map((a) => a.getAttribute('href')!.slice(2));
      if (links.length === 0) continue; // a break
      const stated = minutes(cells[1]?.textContent ?? '');
      const sequence = links.map((id) => {
        const c = chapters.find((ch) => ch.id === id);
        if (!c) throw new Error(`the day plan links to #/${id}, which starts no chapter`);
        return total(c);
      });
      const sequenceSum = sequence.reduce((a, b) => a + b, 0);
      expect(stated, `day plan row « ${clean(cells[0]?.textContent)} »: ${format(stated)} stated, its chapters add up to ${format(sequenceSum)}`).toBe(sequenceSum);
      const optionalCell = clean(cells[2]?.textContent);
      const optionalInRow = links
        .flatMap((id) => chapters.find((ch) => ch.id === id)!.slides)
        .filter((sl) => sl.lab && labs.find((l) => l.id === sl.lab)?.optional)
        .reduce((n, sl) => n + (sl.minutes ?? 0), 0);
      expect(optionalCell === '—' || optionalCell === '' ? 0 : minutes(optionalCell), `optional labs of « ${clean(cells[0]?.textContent)} »`).toBe(optionalInRow);
      seen.push(...links);
      sum += stated;
    }
    expect([...seen].sort()).toEqual(chapters.map((c) => c.id).sort());
    const optionalMinutes = chapters.flatMap((c) => c.slides).filter((s) => s.lab && labs.find((l) => l.id === s.lab)?.optional).reduce((n, s) => n + (s.minutes ?? 0), 0);
    expect(optionalMinutes, 'some labs are optional').toBeGreaterThan(0);
    // Without its optional labs the day holds in about 6 h; the optional ones are extra.
    const core = sum - optionalMinutes;
    expect(core, `the day without optional labs: ${format(core)}`).toBeGreaterThanOrEqual(5.5 * 60);
    expect(core, `the day without optional labs: ${format(core)}`).toBeLessThanOrEqual(6.5 * 60);
    expect(clean(slide!.textContent)).toContain(`TP optionnels : ${format(optionalMinutes)}`);
    expect(clean(slide!.querySelector('aside.notes')?.textContent)).toContain(`la journée tient en ${format(core)}`);
  });

  it('marks optional labs on their slide', () => {
    for (const lab of labs) {
      const slide = document.querySelector(`section[data-lab="${lab.id}"]`);
      if (!slide) continue;
      expect(Boolean(slide.querySelector('.lab[data-optional] .lab-optional')), `lab ${lab.id} optional: ${lab.optional}`).toBe(lab.optional);
    }
  });

  it('gives every lab at least one alternative correct solution', () => {
    for (const lab of labs) expect(lab.exercises.reduce((n, e) => n + e.alternatives.length, 0), `alternatives of ${lab.id}`).toBeGreaterThan(0);
  });
});

// What a lab's commands use, and the slide that teaches it: a lab comes after that slide.
const TAUGHT: [use: RegExp, slide: string][] = [
  [/docker service create/, 'service'],
  [/docker service scale|--replicas/, 'service'],
  [/--constraint/, 'placement'],
  [/--placement-pref/, 'placement-pref'],
  [/docker service update [^\n]*--force/, 'force'],
  [/--health-cmd/, 'healthcheck'],
  [/--update-/, 'update-policy'],
];

describe('the teaching order', () => {
  const order = chapters.flatMap((c) => c.slides);
  const position = (id: string) => order.findIndex((s) => s.id === id);
  it.each(labs.map((l) => [l.id, l] as const))('%s comes after the slides that teach its commands', (_id, lab) => {
    const at = order.findIndex((s) => s.lab === lab.id);
    if (at < 0) return;
    const text = lab.exercises.flatMap((e) => [...e.commands, ...e.solution]).map((c) => ('run' in c ? c.run : '')).join('\n') + lab.setup.map((c) => ('run' in c ? c.run : '')).join('\n');
    for (const [use, id] of TAUGHT) {
      if (!use.test(text)) continue;
      expect(position(id), `slide #/${id} exists`).toBeGreaterThanOrEqual(0);
      expect(position(id), `lab ${lab.id} uses ${use} before the slide #/${id} teaches it`).toBeLessThan(at);
    }
  });

  it('opens the services chapter with services-replicas, its first guided lab', () => {
    const service = chapters.find((c) => c.id === 'service')!;
    expect(service.slides.find((s) => s.lab)?.lab).toBe('services-replicas');
  });
});
