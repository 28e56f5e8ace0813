import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ExerciseProgress {
  passedAt?: string;
  attempts: number;
  lastCheckAt?: string;
}

export interface LearnerState {
  /** The lab whose setup the learner's cluster holds. */
  currentLab?: string;
  exercises: Record<string, ExerciseProgress>;
}

/**
 * Progress per learner, one JSON file each in the data folder, written atomically: it survives
 * a page reload and a server restart.
 */
export class ProgressStore {
  private readonly cache = new Map<string, LearnerState>();
  private writes = Promise.resolve();

  constructor(private readonly dir: string) {}

  private file(learner: string): string {
    return path.join(this.dir, `${learner.replace(/[^a-z0-9-]/gi, '_')}.json`);
  }

  async get(learner: string): Promise<LearnerState> {
    const cached = this.cache.get(learner);
    if (cached) return cached;
    let state: LearnerState;
    try {
      state = JSON.parse(await readFile(this.file(learner), 'utf8')) as LearnerState;
    } catch {
      state = { exercises: {} };
    }
    this.cache.set(learner, state);
    return state;
  }

  async update(learner: string, change: (state: LearnerState) => void): Promise<LearnerState> {
    const state = await this.get(learner);
    change(state);
    const data = JSON.stringify(state, null, 2);
    const file = this.file(learner);
    this.writes = this.writes.then(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, file);
    });
    await this.writes;
    return state;
  }
}
