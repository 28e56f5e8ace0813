// Wire protocol between the terminal gateway and the browser terminal (see PROTOCOL.md).
// Pure types and constants: imported by the server and (type-only) by the browser.

/** Version announced in `hello`; bump on incompatible changes. */
export const PROTOCOL_VERSION = 1;

/** Client → server, text frames (JSON). Binary frames carry keyboard input. */
export type ClientMessage =
  | {
      t: 'hello';
      v: number;
      /** Stream id from a previous `attached`, or null on a fresh page. */
      session: string | null;
      /** Absolute offset of the next byte the client lacks (bytes already written to its screen), or null. */
      offset: number | null;
      cols?: number;
      rows?: number;
    }
  | { t: 'ack'; offset: number }
  | { t: 'resize'; cols: number; rows: number }
  | { t: 'reopen' };

export type TerminalState = 'starting' | 'running' | 'exited' | 'unavailable';

/** Server → client, text frames (JSON). Binary frames carry terminal output. */
export type ServerMessage =
  | {
      t: 'attached';
      session: string;
      /** Absolute offset of the first byte of the binary frames that follow. */
      offset: number;
      /** True when the client must clear its screen before writing (new stream, or its offset fell out of the ring). */
      reset: boolean;
      state: TerminalState;
      pid: number | null;
      cols: number;
      rows: number;
    }
  | { t: 'state'; state: TerminalState; pid: number | null; code?: number }
  | { t: 'resized'; cols: number; rows: number }
  | { t: 'error'; code: ErrorCode; message: string }
  | { t: 'closed'; reason: 'reset' | 'expired' | 'shutdown' | 'slow'; message: string };

export type ErrorCode = 'bad-message' | 'bad-resize' | 'not-attached' | 'too-many';

/** WebSocket close codes used by the gateway (4000–4999 are free for applications). */
export const CLOSE_CODES = {
  /** The learner's terminals were killed (cluster reset): reconnect to get a fresh shell. */
  reset: 4001,
  /** The client stayed above the high-water mark too long without acknowledging: reconnect resumes from its offset. */
  slow: 4002,
  /** Protocol violation (bad hello, binary before hello). Do not retry blindly. */
  protocol: 4003,
  /** The learner holds too many terminals (maxTerminalsPerLearner). */
  tooMany: 4008,
  /** Server shutdown. */
  shutdown: 1001,
} as const;

export const RESIZE_MIN = 1;
export const RESIZE_MAX = 500;
