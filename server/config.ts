import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverChoice } from './drivers/types';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerConfig {
  host: string;
  /**
   * Class mode: learners join from other machines (`--room`, or any non-loopback host). The
   * join link and its QR code are printed, and the local driver (the host's own engine, shared
   * by everyone) is refused.
   */
  room: boolean;
  port: number;
  /**
   * `dev`: Vite middleware with hot reload (loopback only); `static`: the built deck of
   * `deckDir`, built at start when missing or stale. Off loopback the mode is always `static`.
   */
  mode: 'dev' | 'static';
  /** Where the built deck lives (default dist/ of the repository). */
  deckDir: string;
  /** Believe X-Forwarded-Proto and X-Forwarded-For (behind a reverse proxy you run). */
  trustProxy: boolean;
  timeouts: Timeouts;
  dataDir: string;
  driver: DriverChoice;
  nodeImage?: string;
  privileged: 'auto' | 'yes' | 'no';
  /** Origins allowed besides the server's own (e.g. the course on GitHub Pages pointing at a local server). */
  allowedOrigins: string[];
  /** How long a terminal survives without a browser. */
  graceMs: number;
  /** Inventory of the `ssh` driver. */
  inventory?: string;
  /** How the checker reaches DinD nodes' engines (see DindOptions.api). */
  nodeApi: 'auto' | 'socket' | 'exec';
}

/** Slow or idle clients are cut off (milliseconds). */
export interface Timeouts {
  /** Until the request's headers are complete (slowloris). */
  headersMs: number;
  /** Until the whole request is received. */
  requestMs: number;
  /** Reading a JSON or form body. */
  bodyMs: number;
  /** A keep-alive connection waiting for its next request. */
  keepAliveMs: number;
  /** A socket with no traffic at all (not WebSockets, which have their own heartbeat). */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { headersMs: 10_000, requestMs: 30_000, bodyMs: 10_000, keepAliveMs: 5_000, idleMs: 120_000 };

export interface ConfigFlags {
  host?: string;
  port?: string;
  static?: boolean;
  'data-dir'?: string;
  driver?: string;
  image?: string;
  privileged?: string;
  'allow-origin'?: string[];
  inventory?: string;
  'trust-proxy'?: boolean;
  room?: boolean;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string, fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${what} « ${value} » inconnu : valeurs possibles ${allowed.join(', ')}`);
}

/**
 * Flags win over environment variables (DEC_HOST, DEC_PORT, DEC_DATA_DIR, DEC_DRIVER, DEC_NODE_IMAGE, DEC_PRIVILEGED, DEC_TRUST_PROXY, DEC_ROOM).
 * `--room` without a host listens on every interface (0.0.0.0); `--room --host 127.0.0.1` is a room on this machine only (a demo, the tests).
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(flags.port ?? env.DEC_PORT ?? 4173);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port invalide : ${flags.port ?? env.DEC_PORT}`);
  const roomAsked = Boolean(flags.room) || env.DEC_ROOM === '1';
  const host = flags.host ?? env.DEC_HOST ?? (roomAsked ? '0.0.0.0' : '127.0.0.1');
  return {
    host,
    room: roomAsked || !isLoopback(host),
    port,
    mode: flags.static || !isLoopback(host) ? 'static' : 'dev',
    deckDir: path.join(REPO_ROOT, 'dist'),
    trustProxy: Boolean(flags['trust-proxy']) || env.DEC_TRUST_PROXY === '1',
    timeouts: DEFAULT_TIMEOUTS,
    dataDir: path.resolve(flags['data-dir'] ?? env.DEC_DATA_DIR ?? path.join(REPO_ROOT, 'var')),
    driver: oneOf(flags.driver ?? env.DEC_DRIVER, ['auto', 'dind', 'local', 'ssh', 'vagrant', 'none'] as const, 'pilote', 'auto'),
    inventory: flags.inventory ?? env.DEC_INVENTORY ?? undefined,
    nodeApi: oneOf(env.DEC_NODE_API, ['auto', 'socket', 'exec'] as const, 'accès aux nœuds', 'auto'),
    nodeImage: flags.image ?? env.DEC_NODE_IMAGE ?? undefined,
    privileged: oneOf(flags.privileged ?? env.DEC_PRIVILEGED, ['auto', 'yes', 'no'] as const, 'mode privilégié', 'auto'),
    allowedOrigins: [...(flags['allow-origin'] ?? []), ...(env.DEC_ALLOW_ORIGINS?.split(',').filter(Boolean) ?? [])],
    graceMs: Number(env.DEC_TERMINAL_GRACE_MS ?? 15 * 60_000),
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
