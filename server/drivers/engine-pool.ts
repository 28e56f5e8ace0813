import type Docker from 'dockerode';
import { LABEL, clusterFilter } from './labels';
import type { EngineTarget } from './engines';
import { withTimeout } from '../../src/shared/poll';

/**
 * The health and load of the Docker engines a server places clusters on, and the choice of the
 * engine for a new cluster. Pure parts (backoff, choice) are separate from the probes.
 */

/** After n failed pings in a row, the next one waits min(1 s × 2^(n−1), 60 s). */
export const BACKOFF = { firstMs: 1000, maxMs: 60_000 } as const;
/** A successful ping is believed that long before the engine is pinged again. */
export const FRESH_MS = 2000;
/** A ping that takes longer counts as a failure. */
export const PING_TIMEOUT_MS = 3000;

/** What the pool knows about one engine's health: pure, with the time given by the caller. */
export class EngineHealth {
  private failures = 0;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private alive = true;

  /** Whether a ping is due now (a fresh success, or a failure still in its backoff, is not). */
  due(now: number): boolean {
    if (this.alive) return now - this.checkedAt >= FRESH_MS;
    return now >= this.nextProbeAt();
  }

  /** Records a ping; returns true when a dead engine answers again (time to clean it up). */
  record(ok: boolean, now: number): boolean {
    const recovered = ok && !this.alive;
    this.checkedAt = now;
    this.alive = ok;
    this.failures = ok ? 0 : this.failures + 1;
    return recovered;
  }

  isAlive(): boolean {
    return this.alive;
  }

  /** When a dead engine is pinged again. */
  nextProbeAt(): number {
    if (this.alive) return this.checkedAt + FRESH_MS;
    return this.checkedAt + Math.min(BACKOFF.firstMs * 2 ** Math.max(0, this.failures - 1), BACKOFF.maxMs);
  }
}

/** One engine of the pool: where it is, its client, its health. */
export interface PoolEngine {
  readonly target: EngineTarget;
  readonly docker: Docker;
  readonly health: EngineHealth;
}

export interface EngineLoad {
  /** Node containers of this server (its data folder) on the engine. */
  nodes: number;
  /** The engine host's memory (bytes, `docker info` MemTotal). */
  memory: number;
}

/**
 * The engine for a new cluster: the fewest of this server's nodes per byte of memory (engines
 * of different sizes fill in proportion), the first given on a tie. Undefined when none answers.
 */
export function chooseEngine(loads: ReadonlyArray<EngineLoad | undefined>): number | undefined {
  let best: number | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  loads.forEach((load, index) => {
    if (!load) return;
    const score = load.nodes / Math.max(load.memory, 1);
    if (score < bestScore) {
      best = index;
      bestScore = score;
    }
  });
  return best;
}

/** Pings an engine within PING_TIMEOUT_MS. */
export function pingEngine(docker: Docker): Promise<boolean> {
  return withTimeout(docker.ping(), PING_TIMEOUT_MS, 'ping').then(() => true, () => false);
}

/** Whether the engine answers, pinging it only when due; `force` pings now (after a failed call). */
export async function engineAlive(engine: PoolEngine, onRecover: (e: PoolEngine) => void, force = false): Promise<boolean> {
  const now = Date.now();
  if (!force && !engine.health.due(now)) return engine.health.isAlive();
  const ok = await pingEngine(engine.docker);
  if (engine.health.record(ok, Date.now())) onRecover(engine);
  return ok;
}

/** How loaded an engine is with this server's clusters. */
export async function engineLoad(docker: Docker, home: string): Promise<EngineLoad> {
  const [containers, info] = await Promise.all([
    docker.listContainers({ all: true, filters: clusterFilter(undefined, home) }),
    docker.info() as Promise<{ MemTotal?: number }>,
  ]);
  return { nodes: containers.filter((c) => c.Labels[LABEL.node]).length, memory: info.MemTotal ?? 0 };
}
