// The room's capacity, as pure rules (no engine, injected clock): how many learner clusters a
// host holds, who waits in line and at which place, and what to do with an idle cluster.

/** What the Docker engine that runs the clusters has (`docker info`: MemTotal, NCPU). */
export interface HostResources {
  memBytes: number;
  cpus: number;
}

/**
 * What one node costs, measured on a 2-core machine (`npm run bench:classroom`, README « Capacity
 * of a room »): a node running a lab's task uses 60–85 MB, and about 1 % of a core while a third
 * of the room types (30 learners of 3 nodes took 43 % of the two cores; 40 passed the echo goal).
 * The budget keeps a share of the host for the server, the terminals' `docker exec` processes
 * and the system.
 */
export const NODE_COST = {
  memoryMB: 150,
  cpu: 0.015,
  /** Share of the host's memory and cores the clusters may use. */
  share: 0.75,
  /** Per cluster besides its nodes: its lab registry (about 15 MB). */
  registryMB: 20,
} as const;

export interface CapacityLimit {
  limit: number;
  byMemory: number;
  byCpu: number;
}

/**
 * limit = min(⌊share × memory ÷ (nodes × memoryMB + registryMB)⌋, ⌊share × cores ÷ (nodes × cpu)⌋),
 * at least 1. With 3 nodes per cluster on 24 GiB and 2 cores: min(39, 33) = 33.
 */
export function capacityFromHost(host: HostResources, nodesPerCluster: number, cost: typeof NODE_COST = NODE_COST): CapacityLimit {
  const memoryMB = host.memBytes / 1024 / 1024;
  const byMemory = Math.floor((cost.share * memoryMB) / (nodesPerCluster * cost.memoryMB + cost.registryMB));
  const byCpu = Math.floor((cost.share * host.cpus) / (nodesPerCluster * cost.cpu));
  return { limit: Math.max(1, Math.min(byMemory, byCpu)), byMemory, byCpu };
}

export type Admission = { admitted: true } | { admitted: false; place: number; waiting: number };

export interface QueueOptions {
  limit: number;
  now: () => number;
  /** A waiting learner who has not asked again for this long left the line (their tab closed). */
  staleMs: number;
}

/**
 * Slots and a first-come, first-served line. A cluster holds a slot from its admission until
 * it is removed; a learner above the limit waits, and asks again (the lab UI retries): the
 * first `free` learners of the line are admitted, the others learn their place. A priority
 * caller (the instructor) is admitted above the limit and never waits.
 */
export class AdmissionQueue {
  private readonly holders = new Set<string>();
  /** Admitted above the limit, not counted in it (the instructor's cluster). */
  private readonly priority = new Set<string>();
  /** Waiting learners in arrival order, with when they last asked. */
  private readonly line = new Map<string, number>();

  constructor(private readonly opts: QueueOptions) {}

  get limit(): number {
    return this.opts.limit;
  }

  get used(): number {
    return this.holders.size;
  }

  holds(id: string): boolean {
    return this.holders.has(id) || this.priority.has(id);
  }

  /** A slot taken without asking: a cluster found at start, a pre-warmed one being built. */
  hold(id: string): void {
    this.holders.add(id);
    this.line.delete(id);
  }

  release(id: string): void {
    this.holders.delete(id);
    this.priority.delete(id);
  }

  /** Hands `from`'s slot to `to` (a pre-warmed cluster becomes a learner's). */
  transfer(from: string, to: string): void {
    this.holders.delete(from);
    this.hold(to);
  }

  /** `spare`: slots held by clusters that can be handed over at once (the ready pool). */
  admit(id: string, priority: boolean, spare = 0): Admission {
    if (this.holds(id)) return { admitted: true };
    if (priority) {
      this.priority.add(id);
      this.line.delete(id);
      return { admitted: true };
    }
    const now = this.opts.now();
    this.prune(now);
    // Map keeps the first insertion's order: asking again keeps one's place.
    this.line.set(id, now);
    const place = [...this.line.keys()].indexOf(id);
    const free = this.opts.limit - this.holders.size + spare;
    if (place < free) {
      this.hold(id);
      return { admitted: true };
    }
    return { admitted: false, place: place + 1, waiting: this.line.size };
  }

  /** The learners in line, first first. */
  waiting(): string[] {
    this.prune(this.opts.now());
    return [...this.line.keys()];
  }

  /** Leaves the line (the learner was admitted elsewhere or revoked). */
  leave(id: string): void {
    this.line.delete(id);
  }

  private prune(now: number): void {
    for (const [id, seen] of this.line) if (now - seen > this.opts.staleMs) this.line.delete(id);
  }
}

export interface IdleRules {
  /** No activity for this long: freeze (0: never). */
  freezeAfterMs: number;
  /** No activity for this long and no terminal open in a browser: remove (0: never). */
  reclaimAfterMs: number;
}

export interface IdleFacts {
  idleMs: number;
  frozen: boolean;
  /** A browser still shows one of its terminals (a learner with the tab open is not gone). */
  connected: boolean;
  /** The driver can freeze this cluster. */
  canFreeze: boolean;
}

/** What to do with a cluster that has been idle for `idleMs`. */
export function idleAction(rules: IdleRules, facts: IdleFacts): 'reclaim' | 'freeze' | null {
  if (rules.reclaimAfterMs > 0 && facts.idleMs >= rules.reclaimAfterMs && !facts.connected) return 'reclaim';
  if (rules.freezeAfterMs > 0 && facts.canFreeze && !facts.frozen && facts.idleMs >= rules.freezeAfterMs) return 'freeze';
  return null;
}

/**
 * The dispatcher heartbeat period set while a cluster is frozen: a node is declared down three
 * periods after its last heartbeat, so three periods must outlast the longest freeze (until
 * the reclaim, or a day when nothing is reclaimed); never under 10 minutes.
 */
export function frozenHeartbeatMs(rules: IdleRules): number {
  const longest = rules.reclaimAfterMs > 0 ? rules.reclaimAfterMs : 24 * 3600_000;
  return Math.max(10 * 60_000, Math.ceil(longest / 2));
}

/** The learner's waiting message, in French (« 3ᵉ », and no gendered « 1er/1re »: « en tête »). */
export function waitingMessage(place: number): string {
  const where = place === 1 ? 'en tête de la file d’attente' : `${place}ᵉ dans la file d’attente`;
  return `Tous les postes sont occupés\u00a0: vous êtes ${where}. Votre cluster sera créé dès qu’un poste se libère\u202f; cette page réessaie toute seule.`;
}

/** A learner above the limit: 503 with `Retry-After` and their place (server/app.ts). */
export class QueueFullError extends Error {
  constructor(
    readonly place: number,
    readonly waiting: number,
    /** Seconds before the lab UI asks again. */
    readonly retryAfter: number,
  ) {
    super(waitingMessage(place));
    this.name = 'QueueFullError';
  }

  /** The JSON body of the 503 answer. */
  body(): { error: string; queue: { place: number; waiting: number; retryAfter: number } } {
    return { error: this.message, queue: { place: this.place, waiting: this.waiting, retryAfter: this.retryAfter } };
  }
}
