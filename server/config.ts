import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineSpecs } from './drivers/engines';
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
  /** Docker engines the DinD driver places clusters on (URLs or contexts); empty: the local engine. */
  engines: string[];
  /** The room's capacity (server/capacity/). */
  capacity: CapacityConfig;
}

export interface CapacityConfig {
  /** Concurrent learner clusters; undefined: derived from the engine's memory and cores. */
  maxClusters?: number;
  /** Clusters built at start for the first learners. */
  prewarm: number;
  /** Seconds without activity before a cluster is frozen (0: never). */
  freezeAfterS: number;
  /** Seconds without activity (and no terminal open) before a cluster is removed (0: never). */
  reclaimAfterS: number;
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
  engine?: string[];
  'max-clusters'?: string;
  prewarm?: string;
  'freeze-after'?: string;
  'reclaim-after'?: string;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string, fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${what} « ${value} » inconnu : valeurs possibles ${allowed.join(', ')}`);
}

/**
 * Flags win over environment variables (DEC_HOST, DEC_PORT, DEC_DATA_DIR, DEC_DRIVER, DEC_NODE_IMAGE, DEC_PRIVILEGED, DEC_TRUST_PROXY, DEC_ROOM, DEC_ENGINES, DEC_MAX_CLUSTERS, DEC_PREWARM, DEC_FREEZE_AFTER, DEC_RECLAIM_AFTER).
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
    engines: engineSpecs(flags.engine, flags.engine?.length ? undefined : env.DEC_ENGINES),
    nodeApi: oneOf(env.DEC_NODE_API, ['auto', 'socket', 'exec'] as const, 'accès aux nœuds', 'auto'),
    nodeImage: flags.image ?? env.DEC_NODE_IMAGE ?? undefined,
    privileged: oneOf(flags.privileged ?? env.DEC_PRIVILEGED, ['auto', 'yes', 'no'] as const, 'mode privilégié', 'auto'),
    allowedOrigins: [...(flags['allow-origin'] ?? []), ...(env.DEC_ALLOW_ORIGINS?.split(',').filter(Boolean) ?? [])],
    graceMs: Number(env.DEC_TERMINAL_GRACE_MS ?? 15 * 60_000),
    capacity: {
      maxClusters: whole(flags['max-clusters'] ?? env.DEC_MAX_CLUSTERS, '--max-clusters', undefined, 1),
      prewarm: whole(flags.prewarm ?? env.DEC_PREWARM, '--prewarm', 0, 0)!,
      freezeAfterS: whole(flags['freeze-after'] ?? env.DEC_FREEZE_AFTER, '--freeze-after', 600, 0)!,
      reclaimAfterS: whole(flags['reclaim-after'] ?? env.DEC_RECLAIM_AFTER, '--reclaim-after', 7200, 0)!,
    },
  };
}

/** A whole number of at least `min`, or the fallback when absent; a French error otherwise. */
function whole(value: string | undefined, flag: string, fallback: number | undefined, min: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new Error(`${flag} « ${value} » : nombre entier d’au moins ${min} attendu`);
  return Number(value);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
