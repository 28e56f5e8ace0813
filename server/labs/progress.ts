import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ExerciseProgress {
  passedAt?: string;
  attempts: number;
  lastCheckAt?: string;
  /** The last failing check: when it ended and the French message of its first unmet condition (absent in older files). */
  lastFailure?: { at: string; message: string };
}

export interface LearnerState {
  /** The lab whose setup the learner's cluster holds. */
  currentLab?: string;
  /** When the cluster started holding `currentLab` (absent in older files). */
  currentLabSince?: string;
  exercises: Record<string, ExerciseProgress>;
}

/**
 * Progress per learner, one JSON file each in the data folder, written atomically: it survives
 * a page reload and a server restart.
 */
export class ProgressStore {
  /** One state object per learner, shared by concurrent callers (a promise: the first read is shared too). */
  private readonly cache = new Map<string, Promise<LearnerState>>();
  private writes: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(learner: string, state: LearnerState) => void>();

  constructor(private readonly dir: string) {}

  private file(learner: string): string {
    return path.join(this.dir, `${learner.replace(/[^a-z0-9-]/gi, '_')}.json`);
  }

  /** Called after every change of a learner's state is written (the cockpit); returns the unsubscribe function. */
  onChange(listener: (learner: string, state: LearnerState) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  get(learner: string): Promise<LearnerState> {
    let state = this.cache.get(learner);
    if (!state) {
      state = this.read(learner);
      this.cache.set(learner, state);
    }
    return state;
  }

  private async read(learner: string): Promise<LearnerState> {
    try {
      return JSON.parse(await readFile(this.file(learner), 'utf8')) as LearnerState;
    } catch {
      return { exercises: {} };
    }
  }

  async update(learner: string, change: (state: LearnerState) => void): Promise<LearnerState> {
    const state = await this.get(learner);
    change(state);
    const data = JSON.stringify(state, null, 2);
    const file = this.file(learner);
    // Writes happen in order; a failed one does not block the next ones.
    const write = this.writes.catch(() => undefined).then(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, file);
    });
    this.writes = write;
    await write;
    for (const listener of this.listeners) listener(learner, state);
    return state;
  }
}
