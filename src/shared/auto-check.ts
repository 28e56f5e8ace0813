// Checks that tick by themselves: while a live lab slide is open, the page tells the server
// which exercise it shows (`up`), and the server pushes the result of one quick evaluation of
// that exercise's conditions after each cluster event or command returned in a terminal
// (server/live/auto-check.ts). Pure: the topic and its schemas.
import * as z from 'zod/mini';
import { topic } from './live-protocol';

const condition = z.object({
  index: z.number(),
  ok: z.boolean(),
  observed: z.string(),
  expected: z.string(),
  progress: z.optional(z.string()),
  /** Not evaluated automatically (it runs a probe in the cluster): « Vérifier » judges it. */
  skipped: z.optional(z.boolean()),
});
export type AutoCondition = z.infer<typeof condition>;

export const autoCheckResult = z.object({
  lab: z.string(),
  exercise: z.string(),
  conditions: z.array(condition),
  /** Every condition passed: the exercise is recorded as passed in the learner's progress. */
  passed: z.boolean(),
});
export type AutoCheckResult = z.infer<typeof autoCheckResult>;

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** What the page shows: a lab slide's exercise, or nothing (`lab: null`). */
export const labViewSchema = z.union([
  z.object({ lab: z.string().check(z.regex(ID)), exercise: z.string().check(z.regex(ID)) }),
  z.object({ lab: z.null() }),
]);
export type LabView = z.infer<typeof labViewSchema>;

export const autoCheckTopic = topic('lab-check', autoCheckResult, labViewSchema);
