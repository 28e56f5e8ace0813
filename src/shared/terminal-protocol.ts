// Wire protocol between the terminal gateway (server/terminals) and the browser terminal
// (src/lab/terminal/connection.ts): constants, message schemas and their types, one source for
// both sides. Pure: no Node or DOM import. Specification: server/terminals/PROTOCOL.md.
import * as z from 'zod/mini';

/** Version announced in `hello`; bump on incompatible changes. */
export const PROTOCOL_VERSION = 1;

/** Smallest and largest accepted terminal width or height. */
export const RESIZE_MIN = 1;
export const RESIZE_MAX = 500;

/** Default limit on any frame (`maxPayload`): larger ones close the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** The browser sends input (pastes) in frames of at most this size. */
export const INPUT_CHUNK_BYTES = 16 * 1024;
/** The browser acknowledges at least every this many processed bytes, and whenever its write queue drains. */
export const ACK_EVERY_BYTES = 32 * 1024;

/** WebSocket close codes used by the gateway (4000–4999 are free for applications). */
export const CLOSE_CODES = {
  /** The learner's terminals were killed (cluster reset): reconnect to get a fresh shell. */
  reset: 4001,
  /** The client stayed behind too long: reconnecting resumes from its offset. */
  slow: 4002,
  /** Protocol violation (bad hello, binary before hello). Do not retry blindly. */
  protocol: 4003,
  /** A viewer asked for a terminal that is not open: retry later. */
  absent: 4004,
  /** The learner holds too many terminals (maxTerminalsPerLearner). */
  tooMany: 4008,
  /** A frame over the size limit (set by ws itself). */
  tooBig: 1009,
  /** Server shutdown. */
  shutdown: 1001,
} as const;

/** How a socket is attached: a learner's own client, or a read-only view (instructor). */
export type AttachMode = 'learner' | 'viewer';

const size = z.int().check(z.gte(RESIZE_MIN), z.lte(RESIZE_MAX));
const offset = z.int().check(z.gte(0));

// ---------------------------------------------------------------- client → server (text frames)

const hello = z.object({
  t: z.literal('hello'),
  /** Checked against PROTOCOL_VERSION after parsing, to answer a precise error. */
  v: z.number(),
  /** Stream id from a previous `attached`, or null on a fresh page. */
  session: z.nullable(z.string().check(z.maxLength(64))),
  /** Absolute offset of the next byte the client lacks (bytes already written to its screen), or null. */
  offset: z.nullable(offset),
  /** The client's screen size; an invalid size is ignored (the attach still happens). */
  cols: z.optional(z.number()),
  rows: z.optional(z.number()),
});
const ack = z.object({ t: z.literal('ack'), offset });
const resize = z.object({ t: z.literal('resize'), cols: size, rows: size });
const reopen = z.object({ t: z.literal('reopen') });

const CLIENT_SCHEMAS = { hello, ack, resize, reopen } as const;

export type HelloMessage = z.infer<typeof hello>;
export type ClientMessage = z.infer<typeof hello> | z.infer<typeof ack> | z.infer<typeof resize> | z.infer<typeof reopen>;

// ---------------------------------------------------------------- server → client (text frames)

const terminalState = z.enum(['starting', 'running', 'exited', 'unavailable']);
const errorCode = z.enum(['bad-message', 'bad-resize', 'not-attached', 'too-many', 'read-only', 'absent', 'internal']);
const closeReason = z.enum(['reset', 'expired', 'shutdown', 'slow']);

const serverMessage = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('attached'),
    session: z.string(),
    /** Absolute offset of the first byte of the binary frames that follow. */
    offset,
    /** True when the client must clear its screen before writing (new stream, or its offset fell out of the ring). */
    reset: z.boolean(),
    state: terminalState,
    pid: z.nullable(z.int()),
    cols: size,
    rows: size,
    /** How this socket is attached (a viewer's input is never delivered). */
    mode: z.enum(['learner', 'viewer']),
  }),
  z.object({ t: z.literal('state'), state: terminalState, pid: z.nullable(z.int()), code: z.optional(z.int()) }),
  z.object({ t: z.literal('resized'), cols: size, rows: size }),
  z.object({ t: z.literal('error'), code: errorCode, message: z.string() }),
  z.object({ t: z.literal('closed'), reason: closeReason, message: z.string() }),
]);

export type TerminalState = z.infer<typeof terminalState>;
export type ErrorCode = z.infer<typeof errorCode>;
export type CloseReason = z.infer<typeof closeReason>;
export type ServerMessage = z.infer<typeof serverMessage>;

// ---------------------------------------------------------------- parsing

export type ParsedClientFrame =
  | { ok: true; msg: ClientMessage }
  | { ok: false; code: 'bad-message' | 'bad-resize'; message: string };

/** Parses one client text frame. Never throws: a refusal carries the French message to answer. */
export function parseClientMessage(text: string): ParsedClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-message', message: 'JSON invalide' };
  }
  const t = typeof value === 'object' && value !== null && 't' in value ? (value as { t: unknown }).t : undefined;
  const schema = typeof t === 'string' && Object.hasOwn(CLIENT_SCHEMAS, t) ? CLIENT_SCHEMAS[t as keyof typeof CLIENT_SCHEMAS] : null;
  if (!schema) return { ok: false, code: 'bad-message', message: 'message inconnu' };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, msg: parsed.data };
  if (t === 'resize') return { ok: false, code: 'bad-resize', message: `taille refusée (${RESIZE_MIN} à ${RESIZE_MAX})` };
  return { ok: false, code: 'bad-message', message: `message «\u00a0${t}\u00a0» mal formé` };
}

/** Parses one server text frame (browser side); null for anything that is not a valid message. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = serverMessage.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** True for an integer size the gateway accepts. */
export const isValidSize = (n: unknown): n is number => size.safeParse(n).success;
