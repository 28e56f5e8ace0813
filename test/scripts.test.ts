// Every shell script of the project passes shellcheck, and the Vagrantfile validates with
// Debian's vagrant (no provider needed for `vagrant validate --ignore-provider`; the docker
// provider's part with docker). The tools are installed by .ci/run; without them the tests are
// skipped loudly, and fail in CI.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
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

function scripts(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.git') || entry === 'dist' || entry === 'var') continue;
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) out.push(...scripts(file));
    else if (entry.endsWith('.sh')) out.push(file);
  }
  return out;
}

describe('scripts', () => {
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
