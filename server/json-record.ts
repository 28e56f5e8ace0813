// A small string map kept in one JSON file of the data folder (0600, written atomically): the
// room's assignments and notices, the presenter's last position.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class JsonRecord {
  private readonly map: Map<string, string>;

  constructor(private readonly file: string) {
    this.map = new Map(Object.entries(readMap(file)));
  }

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  entries(): [string, string][] {
    return [...this.map];
  }

  set(key: string, value: string): void {
    this.map.set(key, value);
    this.save();
  }

  delete(key: string): boolean {
    const had = this.map.delete(key);
    if (had) this.save();
    return had;
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.map), null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function readMap(file: string): Record<string, string> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null) return {};
    return Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}
