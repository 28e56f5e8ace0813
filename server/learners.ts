import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Learner {
  /** Also the id of the learner's cluster. */
  id: string;
  name: string;
  role: 'learner' | 'instructor';
  created: string;
}

interface Store {
  joinCode: string;
  tokens: Record<string, Learner>;
}

/**
 * Learners and their tokens, kept in a JSON file of the data folder so that a restarted server
 * recognises every browser. A join code (printed at start) lets a browser register itself.
 */
export class LearnerRegistry {
  private constructor(
    private readonly file: string,
    private store: Store,
  ) {}

  static async open(dataDir: string): Promise<LearnerRegistry> {
    const file = path.join(dataDir, 'learners.json');
    let store: Store;
    try {
      store = JSON.parse(await readFile(file, 'utf8')) as Store;
    } catch {
      store = { joinCode: randomToken(9), tokens: {} };
    }
    const registry = new LearnerRegistry(file, store);
    await registry.save();
    return registry;
  }

  get joinCode(): string {
    return this.store.joinCode;
  }

  checkJoinCode(code: string): boolean {
    return safeEqual(code, this.store.joinCode);
  }

  lookup(token: string | undefined): Learner | undefined {
    if (!token || token.length < 16) return undefined;
    for (const [known, learner] of Object.entries(this.store.tokens)) if (safeEqual(token, known)) return learner;
    return undefined;
  }

  list(): Learner[] {
    return Object.values(this.store.tokens);
  }

  /** The token of a fixed identity (the local user, the instructor), created once. */
  async fixed(id: string, role: Learner['role'], name: string): Promise<string> {
    const existing = Object.entries(this.store.tokens).find(([, l]) => l.id === id);
    if (existing) return existing[0];
    return this.add({ id, name, role, created: new Date().toISOString() });
  }

  async register(name?: string): Promise<{ token: string; learner: Learner }> {
    const id = `l${randomBytes(3).toString('hex')}`;
    const learner: Learner = { id, name: (name ?? '').trim().slice(0, 40) || id, role: 'learner', created: new Date().toISOString() };
    const token = await this.add(learner);
    return { token, learner };
  }

  private async add(learner: Learner): Promise<string> {
    const token = randomToken(24);
    this.store.tokens[token] = learner;
    await this.save();
    return token;
  }

  private async save(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.store, null, 2), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
