// `engines` is true: the project supports Node 22.12+ and 24 (README, « Node versions »), and
// every package of the lockfile admits both (no EBADENGINE on `npm ci`). Installed packages are
// read from node_modules; optional packages for other platforms, absent here, from the lockfile.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/config';

/** The oldest and newest lines the project supports; CI tests on the second. */
const SUPPORTED = ['22.12.0', '24.0.0'];

interface LockEntry {
  engines?: { node?: string } | string[];
  optional?: boolean;
  cpu?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const pkg = readJson<{ engines?: { node?: string } }>(path.join(REPO_ROOT, 'package.json'));
const lock = readJson<{ packages: Record<string, LockEntry> }>(path.join(REPO_ROOT, 'package-lock.json'));

/** The `engines.node` range of a package (old packages wrote engines as an array: no range). */
const nodeRange = (engines: LockEntry['engines']): string | undefined => (engines && !Array.isArray(engines) ? engines.node : undefined);

/** The lockfile key a dependency `name` of the package at `from` resolves to (Node's lookup). */
function resolveKey(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[key]) return key;
    if (!dir) return undefined;
  }
}

/**
 * Packages npm can install on a real machine: reachable from the project without going through
 * a `cpu: wasm32` package (the WebAssembly fallback of native bindings, installed only with
 * `npm install --cpu=wasm32`, never on a Node host).
 */
function installable(): Set<string> {
  const seen = new Set<string>(['']);
  const queue = [''];
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    const e = lock.packages[key]!;
    for (const name of Object.keys({ ...e.dependencies, ...e.devDependencies, ...e.optionalDependencies, ...e.peerDependencies })) {
      const dep = resolveKey(key, name);
      const cpu = dep ? lock.packages[dep]!.cpu : undefined;
      if (!dep || seen.has(dep) || (cpu && cpu.every((c) => c === 'wasm32'))) continue;
      seen.add(dep);
      queue.push(dep);
    }
  }
  return seen;
}

describe('engines', () => {
  it('the project declares Node 22.12+ and 24, not the end-of-life lines', () => {
    const range = pkg.engines?.node;
    expect(range).toBeDefined();
    for (const v of SUPPORTED) expect(semver.satisfies(v, range!), `${v} in ${range}`).toBe(true);
    for (const v of ['20.19.0', '22.11.0', '18.20.0']) expect(semver.satisfies(v, range!), `${v} in ${range}`).toBe(false);
    expect(nodeRange(lock.packages['']?.engines)).toBe(range);
  });

  it('every package of the lockfile admits Node 22.12 and 24', () => {
    const reachable = installable();
    const entries = Object.entries(lock.packages).filter(([key]) => key.startsWith('node_modules/') && reachable.has(key));
    expect(entries.length).toBeGreaterThan(100);
    // Only the WebAssembly fallback and what it alone needs are left out.
    const leftOut = Object.keys(lock.packages).filter((k) => k && !reachable.has(k));
    expect(leftOut.every((k) => /wasm|emnapi|tybys|tslib/.test(k)), leftOut.join(', ')).toBe(true);
    let readFromNodeModules = 0;
    const refused: string[] = [];
    for (const [key, entry] of entries) {
      const manifest = path.join(REPO_ROOT, key, 'package.json');
      let range: string | undefined;
      if (existsSync(manifest)) {
        range = nodeRange(readJson<{ engines?: LockEntry['engines'] }>(manifest).engines);
        readFromNodeModules++;
      } else {
        // Not installed: only optional packages for other platforms may be absent.
        expect(entry.optional, `${key} is in the lockfile but not installed (npm ci)`).toBe(true);
        range = nodeRange(entry.engines);
      }
      if (range === undefined) continue;
      if (!semver.validRange(range)) refused.push(`${key}: invalid range « ${range} »`);
      for (const v of SUPPORTED) if (!semver.satisfies(v, range)) refused.push(`${key}: engines.node « ${range} » refuses ${v}`);
    }
    expect(readFromNodeModules).toBeGreaterThan(100);
    expect(refused).toEqual([]);
  });
});
