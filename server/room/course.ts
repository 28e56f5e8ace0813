// The course as the cockpit shows it: its labs in slide order (the `§lab:` slides of
// slides/index.md and its chapters), each with its exercises, read from the lab files.
import path from 'node:path';
import { loadLab } from '../../src/labs/loader';
import { renderCourse } from '../../src/render/index';
import type { CourseLab } from '../../src/shared/room-protocol';

/** Labs of the course in the order of their slides (a lab shown twice counts once). */
export function courseOutline(slidesIndex: string, labsDir: string): CourseLab[] {
  // Only the slides' structure is needed: lab bodies are not rendered here.
  const deck = renderCourse(slidesIndex, { lab: () => '' });
  const seen = new Set<string>();
  const out: CourseLab[] = [];
  for (const slide of deck.slides) {
    const id = slide.lab?.lab;
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const lab = loadLab(labsDir, id, path.dirname(labsDir));
    out.push({ lab: id, title: lab.title, optional: lab.optional, exercises: lab.exercises.map((e) => ({ id: e.id, title: e.title })) });
  }
  return out;
}
