// Every shell script of the project passes shellcheck, and the Vagrantfile validates with
// Debian's vagrant (no provider needed for `vagrant validate --ignore-provider`; the docker
// provider's part with docker). The tools are installed by .ci/run; without them the tests are
// skipped loudly, and fail in CI.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/config';
import { DIND_CAPS } from '../server/drivers/dind-node';

function tool(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!found) {
    if (process.env.CI) throw new Error(`${name} is missing in CI (.ci/run installs it)`);
    console.warn(`\n!!! ${name} is not installed: its checks are SKIPPED.\n`);
  }
  return found;
}

function filesEndingWith(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.git') || entry === 'dist' || entry === 'var') continue;
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) out.push(...filesEndingWith(file, suffix));
    else if (entry.endsWith(suffix)) out.push(file);
  }
  return out;
}
const scripts = (dir: string): string[] => filesEndingWith(dir, '.sh');

/**
 * The Debian package of every program the tests run on the host (null: always there on Debian,
 * or installed by npm). A test that runs a new program must add it here, and .ci/run must
 * install its package.
 */
const TEST_TOOLS: Record<string, string | null> = {
  sh: null,
  bash: null,
  cat: null,
  hostname: null,
  npx: null,
  docker: 'docker.io',
  chromium: 'chromium',
  shellcheck: 'shellcheck',
  vagrant: 'vagrant',
  'ssh-keygen': 'openssh-client',
  'ssh-keyscan': 'openssh-client',
  ssh: 'openssh-client',
  pdftotext: 'poppler-utils',
  pdfinfo: 'poppler-utils',
  ip: 'iproute2',
};

/** Programs run by the tests: first argument of spawn/execFile (and their promisified aliases). */
function programsRunByTests(): Map<string, string> {
  const found = new Map<string, string>();
  const files = ['test', 'src', 'server', 'scripts'].flatMap((d) => filesEndingWith(path.join(REPO_ROOT, d), '.ts'));
  for (const file of files.filter((f) => f.endsWith('.test.ts') || f.includes(`${path.sep}test${path.sep}`))) {
    const text = readFileSync(file, 'utf8');
    const callers = ['spawn', 'spawnSync', 'execFile', 'execFileSync'];
    for (const m of text.matchAll(/const (\w+) = promisify\((?:execFile|spawn)\)/g)) callers.push(m[1]!);
    const call = new RegExp(`(?<![\\w.])(?:${callers.join('|')})\\(\\s*['"\`]([^'"\`\\s]+)['"\`]`, 'g');
    for (const m of text.matchAll(call)) found.set(m[1]!, path.relative(REPO_ROOT, file));
  }
  return found;
}

/** Debian packages that .ci/run installs with apt-get. */
function ciPackages(): Set<string> {
  const text = readFileSync(path.join(REPO_ROOT, '.ci/run'), 'utf8').replace(/\\\n/g, ' ');
  const packages = new Set<string>();
  for (const m of text.matchAll(/apt-get install ([^\n>]*)/g)) {
    for (const word of m[1]!.split(/\s+/)) if (/^[a-z0-9][a-z0-9.+-]+$/.test(word)) packages.add(word);
  }
  return packages;
}

describe('scripts', () => {
  it('.ci/run installs every program the tests run', () => {
    const programs = programsRunByTests();
    expect([...programs.keys()]).toEqual(expect.arrayContaining(['shellcheck', 'vagrant', 'ssh-keygen']));
    const unknown = [...programs].filter(([p]) => !(p in TEST_TOOLS)).map(([p, f]) => `${p} (${f})`);
    expect(unknown, 'add these programs and their Debian package to TEST_TOOLS').toEqual([]);
    const installed = ciPackages();
    expect(installed).toContain('chromium');
    const missing = Object.values(TEST_TOOLS).filter((pkg): pkg is string => pkg !== null && !installed.has(pkg));
    expect(missing, '.ci/run must apt-get install these packages').toEqual([]);
  });

  it.skipIf(!tool('shellcheck'))('every shell script passes shellcheck', () => {
    const files = [...scripts(REPO_ROOT), path.join(REPO_ROOT, '.ci/run')];
    expect(files.length).toBeGreaterThanOrEqual(4);
    const result = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!tool('vagrant'))('the Vagrantfile validates for both profiles and rejects a bad one', { timeout: 120_000 }, () => {
    const cwd = path.join(REPO_ROOT, 'vagrant');
    // --ignore-provider: valid on a machine with Vagrant and no provider at all (no VirtualBox, libvirt or docker).
    for (const profile of ['1x2', '3x3']) {
      const out = execFileSync('vagrant', ['validate', '--ignore-provider'], { cwd, env: { ...process.env, DEC_PROFILE: profile }, encoding: 'utf8' });
      expect(out).toContain('validated successfully');
    }
    const bad = spawnSync('vagrant', ['validate', '--ignore-provider'], { cwd, env: { ...process.env, DEC_PROFILE: '9x9' }, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('DEC_PROFILE inconnu');
  });

  it.skipIf(!tool('vagrant') || !tool('docker'))('the docker provider configuration validates, with the DinD capability set of the driver', { timeout: 120_000 }, () => {
    const cwd = path.join(REPO_ROOT, 'vagrant');
    const out = execFileSync('vagrant', ['validate'], { cwd, env: { ...process.env, VAGRANT_DEFAULT_PROVIDER: 'docker' }, encoding: 'utf8' });
    expect(out).toContain('validated successfully');
    const bad = spawnSync('vagrant', ['validate'], { cwd, env: { ...process.env, VAGRANT_DEFAULT_PROVIDER: 'docker', DEC_NAME_PREFIX: 'Bad_Name' }, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('DEC_NAME_PREFIX');
    const vagrantfile = readFileSync(path.join(cwd, 'Vagrantfile'), 'utf8');
    const caps = /dind_caps = %w\[([^\]]+)\]/.exec(vagrantfile)?.[1]?.trim().split(/\s+/);
    expect(caps).toEqual(DIND_CAPS);
  });
});
