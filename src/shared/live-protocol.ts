// The live channel between the lab server (server/live/hub.ts) and the browser
// (src/lab/live-channel.ts): one WebSocket per page, carrying small JSON envelopes
// `{ topic, data }` both ways. Each feature (cluster map, automatic checks, follow mode,
// cockpit) declares its topics with `topic()` in its own shared module; the envelope is parsed
// here, the data by the topic's own schema on the receiving side. Pure: no Node or DOM import.
import * as z from 'zod/mini';

/** WebSocket path of the live channel (the edge authenticates it like any learner route). */
export const LIVE_PATH = '/api/live';

/** Largest frame either side accepts; larger ones close the socket with 1009. */
export const LIVE_MAX_FRAME_BYTES = 64 * 1024;

/** Close codes of the live channel (4000–4999 are free for applications). */
export const LIVE_CLOSE_CODES = {
  /** A frame that is not an envelope, or a topic the sender may not use. Do not retry blindly. */
  protocol: 4403,
  /** The learner holds too many live sockets. */
  tooMany: 4408,
  /** Server shutdown. */
  shutdown: 1001,
} as const;

const TOPIC_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export const envelope = z.object({
  topic: z.string().check(z.regex(TOPIC_NAME)),
  data: z.unknown(),
});
export type Envelope = z.infer<typeof envelope>;

/** Parses one text frame; null when it is not an envelope. */
export function parseEnvelope(text: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = envelope.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * A topic: its name, the schema of what the server sends (`down`) and of what a browser may
 * send (`up`; absent: browsers never send on it).
 */
export interface Topic<Down, Up = never> {
  readonly name: string;
  readonly down: z.ZodMiniType<Down>;
  readonly up?: z.ZodMiniType<Up>;
}

export function topic<Down, Up = never>(name: string, down: z.ZodMiniType<Down>, up?: z.ZodMiniType<Up>): Topic<Down, Up> {
  if (!TOPIC_NAME.test(name)) throw new Error(`nom de sujet invalide : ${name}`);
  return up ? { name, down, up } : { name, down };
}

/** The text frame of `data` on `t`. */
export function frame<Down, Up>(t: Topic<Down, Up>, data: Down | Up): string {
  return JSON.stringify({ topic: t.name, data });
}
