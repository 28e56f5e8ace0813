import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export interface Learner {
  /** Also the id of the learner's cluster and the key of their progress. */
  id: string;
  name: string;
  role: 'learner' | 'instructor';
  created: string;
}

/** A learner as stored: only SHA-256 hashes of their tokens (hex), never a token. */
const StoredLearner = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(80),
  role: z.enum(['learner', 'instructor']),
  created: z.string(),
  tokens: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
});
type StoredLearner = z.infer<typeof StoredLearner>;

const Store = z.object({
  version: z.literal(2),
  joinCodeHash: z.string().regex(/^[0-9a-f]{64}$/),
  learners: z.record(z.string(), StoredLearner),
});
type Store = z.infer<typeof Store>;

/** Version 1 kept tokens and the join code in clear: read once, then rewritten hashed. */
const StoreV1 = z.object({
  joinCode: z.string(),
  tokens: z.record(z.string(), z.object({ id: z.string(), name: z.string(), role: z.enum(['learner', 'instructor']), created: z.string() })),
});

/** How many tokens of one identity stay valid (each server start issues a new local token). */
const TOKENS_KEPT = 4;
const NAME_MAX = 40;

export class RegistryError extends Error {}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Learners and the hashes of their tokens, in `learners.json` of the data folder (0600, folder
 * 0700), so that a restarted server recognises every browser. Tokens exist in clear only in the
 * URLs printed at start and in the browsers' cookies. The join code (which lets a browser
 * register itself) is kept hashed too, so a new one is drawn at each start.
 */
export class LearnerRegistry {
  private code: string;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private store: Store,
  ) {
    this.code = '';
  }

  static async open(dataDir: string): Promise<LearnerRegistry> {
    await secureDir(dataDir);
    const file = path.join(dataDir, 'learners.json');
    const registry = new LearnerRegistry(file, await readStore(file));
    await registry.rotateJoinCode();
    return registry;
  }

  /** Reads the registry without drawing a join code (the CLI, when no server runs). */
  static async read(dataDir: string): Promise<Learner[]> {
    const store = await readStore(path.join(dataDir, 'learners.json'));
    return Object.values(store.learners).map(publicLearner);
  }

  /** The current join code, in memory only (printed in the join URL). */
  get joinCode(): string {
    return this.code;
  }

  checkJoinCode(code: string): boolean {
    return sameHash(hashToken(code), this.store.joinCodeHash);
  }

  async rotateJoinCode(): Promise<string> {
    this.code = randomToken(9);
    this.store.joinCodeHash = hashToken(this.code);
    await this.save();
    return this.code;
  }

  lookup(token: string | undefined): Learner | undefined {
    if (!token || token.length < 16 || token.length > 256) return undefined;
    const hash = hashToken(token);
    let found: StoredLearner | undefined;
    // Every stored hash is compared, in constant time each: no early exit.
    for (const learner of Object.values(this.store.learners)) {
      for (const known of learner.tokens) if (sameHash(hash, known)) found = learner;
    }
    return found && publicLearner(found);
  }

  get(id: string): Learner | undefined {
    const stored = this.store.learners[id];
    return stored && publicLearner(stored);
  }

  list(): Learner[] {
    return Object.values(this.store.learners).map(publicLearner);
  }

  /**
   * A new token for a fixed identity (the local user, the instructor), created on first use.
   * Its previous tokens stay valid (the last few), so open browsers survive a restart.
   */
  async fixed(id: string, role: Learner['role'], name: string): Promise<string> {
    const learner = this.store.learners[id] ?? { id, name, role, created: new Date().toISOString(), tokens: [] };
    this.store.learners[id] = learner;
    return this.issue(learner);
  }

  async register(name?: string): Promise<{ token: string; learner: Learner }> {
    let id: string;
    do id = `l${randomBytes(3).toString('hex')}`;
    while (this.store.learners[id]);
    const stored: StoredLearner = { id, name: cleanName(name) || id, role: 'learner', created: new Date().toISOString(), tokens: [] };
    this.store.learners[id] = stored;
    const token = await this.issue(stored);
    return { token, learner: publicLearner(stored) };
  }

  /** A learner's new display name (checked by checkDisplayName of src/shared/display-name.ts). */
  async rename(id: string, name: string): Promise<Learner> {
    const stored = this.store.learners[id];
    if (!stored) throw new RegistryError(`apprenant « ${id} » inconnu`);
    stored.name = name;
    await this.save();
    return publicLearner(stored);
  }

  /** Ends every session of a learner (their progress stays, under the same id). */
  async revoke(id: string): Promise<Learner> {
    const stored = this.store.learners[id];
    if (!stored) throw new RegistryError(`apprenant « ${id} » inconnu`);
    stored.tokens = [];
    await this.save();
    return publicLearner(stored);
  }

  private async issue(learner: StoredLearner): Promise<string> {
    const token = randomToken(24);
    learner.tokens = [...learner.tokens, hashToken(token)].slice(-TOKENS_KEPT);
    await this.save();
    return token;
  }

  /** Writes in turn (learners joining at once share one temporary file); a failed write does not block the next. */
  private save(): Promise<void> {
    const data = JSON.stringify(this.store, null, 2);
    const write = this.saving
      .catch(() => undefined)
      .then(async () => {
        const tmp = `${this.file}.${process.pid}.tmp`;
        await writeFile(tmp, data, { mode: 0o600 });
        await rename(tmp, this.file);
      });
    this.saving = write;
    return write;
  }
}

/** A display name: trimmed, without control characters, at most 40 characters. */
export function cleanName(name: string | undefined): string {
  return (name ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, NAME_MAX);
}

/** Creates the data folder (0700) or tightens an existing one. */
export async function secureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

async function readStore(file: string): Promise<Store> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    return { version: 2, joinCodeHash: hashToken(randomToken(9)), learners: {} };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new RegistryError(`${file} : JSON illisible ; corrigez-le ou supprimez-le (les apprenants devront se réinscrire)`);
  }
  const current = Store.safeParse(json);
  if (current.success) return current.data;
  const v1 = StoreV1.safeParse(json);
  if (!v1.success) throw new RegistryError(`${file} : format inconnu (${v1.error.issues[0]?.message ?? 'invalide'})`);
  // Migration: same ids (progress is keyed by them), tokens replaced by their hashes.
  const learners: Record<string, StoredLearner> = {};
  for (const [token, learner] of Object.entries(v1.data.tokens)) {
    const entry = (learners[learner.id] ??= { ...learner, tokens: [] });
    entry.tokens.push(hashToken(token));
  }
  return { version: 2, joinCodeHash: hashToken(v1.data.joinCode), learners };
}

function publicLearner(stored: StoredLearner): Learner {
  return { id: stored.id, name: stored.name, role: stored.role, created: stored.created };
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Constant-time equality of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
