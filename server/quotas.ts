import { DEFAULT_SHAPE } from './drivers/types';
import { loadAllLabs } from '../src/labs/loader';

/** The largest cluster anyone may ask for (the drivers' node names go up to 9 of each). */
export const ABSOLUTE_LIMIT = { managers: 7, workers: 8 } as const;

export interface ShapeLimit {
  managers: number;
  workers: number;
}

/**
 * What a learner's cluster may hold: the largest shape the course's labs declare (each count
 * on its own), and at least the default shape. The instructor is limited only by
 * ABSOLUTE_LIMIT (their machine, their choice).
 */
export function courseLimit(labsDir: string): ShapeLimit {
  let managers = DEFAULT_SHAPE.managers;
  let workers = DEFAULT_SHAPE.workers;
  for (const lab of loadAllLabs(labsDir)) {
    managers = Math.max(managers, lab.cluster.managers);
    workers = Math.max(workers, lab.cluster.workers);
  }
  return { managers: Math.min(managers, ABSOLUTE_LIMIT.managers), workers: Math.min(workers, ABSOLUTE_LIMIT.workers) };
}

/** The French refusal, or undefined when the shape fits. */
export function shapeRefusal(shape: ShapeLimit, limit: ShapeLimit): string | undefined {
  if (shape.managers <= limit.managers && shape.workers <= limit.workers) return undefined;
  return `cluster trop grand : ${limit.managers} manager${limit.managers > 1 ? 's' : ''} et ${limit.workers} worker${limit.workers > 1 ? 's' : ''} au plus pour ce cours (demandé : ${shape.managers} et ${shape.workers})`;
}
