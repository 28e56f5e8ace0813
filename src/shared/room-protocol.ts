// The room's live topics (src/shared/live-protocol.ts), shared by the server (server/room/) and
// the browser (the cockpit, src/cockpit/; the lab slides' hint notice and presence). Pure.
//
// - `room` (instructor pages only; the server never sends it to a learner's page): a `course`
//   frame (the course's labs and exercises in slide order, and the learners' ids), then one
//   `learner` frame per learner (their row of the grid); afterwards a `learner` frame whenever a
//   row changes (debounced per learner). Rows are
//   sent one per frame: a frame stays far below LIVE_MAX_FRAME_BYTES whatever the room's size.
// - `room-hint` (to one learner's pages): a message from the instructor, shown in the lab slide.
// - `room-presence` (from a learner's page): the slide it shows, for the cockpit.
import * as z from 'zod/mini';
import { topic } from './live-protocol';

export const cellSchema = z.object({
  /** `active`: the exercise the learner works on (first not passed of the lab their cluster holds). */
  s: z.enum(['active', 'passed', 'failing']),
  /** When it passed, or when the last failing check ended (ISO), null for `active` without a check. */
  at: z.nullable(z.string()),
  attempts: z.number(),
  /** The French message of the first unmet condition of the last failing check. */
  msg: z.optional(z.string()),
});
export type Cell = z.infer<typeof cellSchema>;

export const healthSchema = z.object({
  nodes: z.number(),
  /** Nodes whose machine runs (and, in a swarm, that the swarm sees ready). */
  up: z.number(),
  /** Memory of the cluster's nodes, when the driver can tell (DinD: docker stats). */
  memoryMB: z.nullable(z.number()),
  /** Since when these figures hold (ISO). */
  at: z.string(),
  /** Frozen for idleness (server/capacity/): the figures are those from before; the next action thaws it. */
  frozen: z.optional(z.boolean()),
});
export type Health = z.infer<typeof healthSchema>;

export const rowSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Open pages of the learner (live sockets). */
  pages: z.number(),
  /** Last keystroke in a terminal or last check (ISO). */
  lastActivity: z.nullable(z.string()),
  /** The slide their page shows (its id or h/v), when it said so. */
  slide: z.nullable(z.string()),
  currentLab: z.nullable(z.string()),
  /** When their cluster started holding `currentLab`. */
  labSince: z.nullable(z.string()),
  lastPassAt: z.nullable(z.string()),
  health: z.nullable(healthSchema),
  /** By `lab/exercise`; absent: not started. */
  cells: z.record(z.string(), cellSchema),
});
export type LearnerRow = z.infer<typeof rowSchema>;

export const courseLabSchema = z.object({
  lab: z.string(),
  title: z.string(),
  optional: z.boolean(),
  exercises: z.array(z.object({ id: z.string(), title: z.string() })),
});
export type CourseLab = z.infer<typeof courseLabSchema>;

export const roomMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('course'), course: z.array(courseLabSchema), learners: z.array(z.string()) }),
  z.object({ kind: z.literal('learner'), row: rowSchema }),
]);
export type RoomMessage = z.infer<typeof roomMessage>;

export const roomTopic = topic('room', roomMessage);

export const HINT_MAX = 500;
export const hintTopic = topic('room-hint', z.object({ text: z.string(), at: z.string() }));

const slide = z.object({ slide: z.string().check(z.maxLength(80)) });
export const presenceTopic = topic('room-presence', slide, slide);
