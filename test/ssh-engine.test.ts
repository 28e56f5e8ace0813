// An engine given as ssh://user@host, for real: a bare Docker-in-Docker machine running sshd
// (the node image starts it when NODE_SSH_AUTHORIZED_KEY is set), a key and a known_hosts made
// for this run. The server's client (dockerode over ssh2, host key checked) and the docker CLI
// of the terminals (its own ssh, with the environment the engine gives it) both reach its engine.
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DindDriver } from '../server/drivers/dind';
import { resolveEngine } from '../server/drivers/engines';
import { dindDriverIn, engine as host, engineAvailable, leftovers } from './engine';

const enabled = await engineAvailable('engine over ssh://');
const MACHINE = 'ssh-engine';

describe.skipIf(!enabled)('an engine given as ssh://', () => {
  let dir: string;
  let home: string;
  let key: string;
  let ip: string;
  let dind: DindDriver;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dec-ssh-engine-'));
    home = path.join(dir, 'home');
    await mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    key = path.join(home, '.ssh', 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'docker-en-cluster-ci', '-f', key]);
    dind = await dindDriverIn(dir, { env: { NODE_SSH_AUTHORIZED_KEY: (await readFile(`${key}.pub`, 'utf8')).trim() } });
    await dind.up(MACHINE, { managers: 1, workers: 0, swarm: 'bare' });
    const info = await host.getContainer(dind.containerName(MACHINE, 'manager1')).inspect();
    ip = info.NetworkSettings.Networks[dind.networkName(MACHINE)]!.IPAddress;
    let known = '';
    for (let i = 0; i < 50 && !known.includes(ip); i++) {
      try {
        known = execFileSync('ssh-keyscan', ['-T', '5', '-t', 'ed25519', ip], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await writeFile(path.join(home, '.ssh', 'known_hosts'), known);
    // What an instructor's ~/.ssh/config says for the CLI's ssh (OpenSSH reads the passwd home,
    // not $HOME: this run's configuration goes through an ssh first on the CLI's PATH).
    const config = path.join(home, '.ssh', 'config');
    await writeFile(config, `Host ${ip}\n  IdentityFile ${key}\n  UserKnownHostsFile ${home}/.ssh/known_hosts\n  BatchMode yes\n`, { mode: 0o600 });
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec ssh -F ${config} "$@"\n`.replace('exec ssh', `exec ${execFileSync('sh', ['-c', 'command -v ssh']).toString().trim()}`), { mode: 0o755 });
  }, 600_000);

  afterAll(async () => {
    await dind?.down(MACHINE);
    expect(await leftovers(MACHINE)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  it('reaches the engine from the server, with the host key checked', async () => {
    const target = resolveEngine(`ssh://root@${ip}?key=${key}`, { HOME: home });
    expect(target).toMatchObject({ id: `ssh://root@${ip}`, local: false, cliEnv: { DOCKER_HOST: `ssh://root@${ip}` } });
    const info = (await new Docker(target.docker).info()) as { Name: string };
    expect(info.Name).toBe('manager1');
    // Another host key in known_hosts: refused.
    const strangerHome = path.join(dir, 'stranger');
    await mkdir(path.join(strangerHome, '.ssh'), { recursive: true });
    await writeFile(path.join(strangerHome, '.ssh', 'known_hosts'), `${ip} ssh-ed25519 ${Buffer.from('not this key').toString('base64')}\n`);
    await expect(new Docker(resolveEngine(`ssh://root@${ip}?key=${key}`, { HOME: strangerHome }).docker).ping()).rejects.toThrow();
  });

  it('gives the terminals\' docker CLI what reaches the same engine', () => {
    const target = resolveEngine(`ssh://root@${ip}?key=${key}`, { HOME: home });
    const env = { PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home, ...target.cliEnv };
    const name = execFileSync('docker', ['info', '--format', '{{.Name}}'], { env, encoding: 'utf8' }).trim();
    expect(name).toBe('manager1');
  });
});
